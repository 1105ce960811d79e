//! The page: renders the Yew app into `<body>`.

fn main() {
    yew::Renderer::<pancake_web::shell::App>::new().render();
}

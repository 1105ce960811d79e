//! The page: renders the Yew app into `<body>`.

fn main() {
    pancake_web::offline::register();
    yew::Renderer::<pancake_web::shell::App>::new().render();
}

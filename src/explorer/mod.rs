//! The explorer: the web view of a rulebook for people (the law beside the rules, a page per
//! declaration, try a case, what changed), served by `zan serve` at `/` and written as a static
//! site by `zan doc`. Server-rendered HTML with small hand-written scripts, the assets embedded
//! in the binary. Pure: pages are built from an `Engine` and a request; no IO.
//!
//! (Skeleton: being built under issue 19.)

use crate::engine::Engine;
use std::sync::Arc;

/// Whether pages are served live (try a case evaluates) or written as a static site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Live,
    Static,
}

/// The pages of one rulebook, built once per loaded version of its files.
pub struct Site {
    pub name: String,
    pub engine: Arc<Engine>,
    pub mode: Mode,
}

impl Site {
    pub fn new(name: &str, engine: Arc<Engine>, mode: Mode) -> Site {
        Site {
            name: name.to_string(),
            engine,
            mode,
        }
    }
}

/// A request the explorer answers: `GET` pages and assets, `POST` forms.
pub struct Request<'a> {
    pub method: &'a str,
    /// The path, percent-decoded, without the query (`/`, `/r/kz_visa/`, `/assets/zan.css`).
    pub path: &'a str,
    /// The raw query string, without `?` (empty when none).
    pub query: &'a str,
    /// The body (an `application/x-www-form-urlencoded` form for `POST`).
    pub body: &'a [u8],
}

/// A response: always a page, a 404 page too.
pub struct Page {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// Answer a request for the sites being served.
pub fn respond(sites: &[&Site], request: &Request<'_>) -> Page {
    let _ = (sites, request);
    Page {
        status: 404,
        content_type: "text/html; charset=utf-8",
        body: b"<!doctype html><title>Not found</title><p>Not found.</p>".to_vec(),
    }
}

/// Every page of a static site (`zan doc`): its path relative to the output folder (`/`
/// separated, never absolute, never `..`) and its bytes, assets included.
pub fn static_pages(sites: &[&Site]) -> Vec<(String, Vec<u8>)> {
    let _ = sites;
    Vec::new()
}

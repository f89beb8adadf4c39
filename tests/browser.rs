//! The explorer in a real headless Chromium (Debian's `chromium` and `chromium-driver`, driven
//! over W3C WebDriver by `common::webdriver`), against a real `zan serve rulebooks/kz-visa`:
//! from the index to a rule, a citation to its sentence and back, the try-a-case form filled
//! from an example, changed, evaluated, and the expected value and citation found in the
//! decision and its explanation; the keyboard's first stop; a narrow window; and the form with
//! scripts off. Each page visited is saved as `target/screenshots/NAME.png`.
//!
//! Without Chromium the tests say so and return, except under CI (`CI` set), where they fail:
//! `.ci/run` installs them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::server::Server;
use common::webdriver::{browser_available, Browser, Element, Launch};
use std::path::PathBuf;

/// The case: the example `c3_engineer` (a C3 work visa with an invitation, assessed on
/// 2026-04-06), changed to a visa cancellation and evaluated as of 2025-06-01. The state duty
/// for the procedure is then the exit visa's 0.5 MCI at the MCI of 2025 (3,932 KZT): 1,966.00
/// KZT, cited to the visa guide's row "Exit visa processing (visa cancellation)"
/// (rulebooks/kz-visa/visa-duties.zan, `visa_duty_procedure` and `visa_state_duty_mci`).
const EXAMPLE: &str = "c3_engineer";
const OPERATION_FIELD: &str = "#f-application-operation";
const OPERATION: &str = "cancellation";
const AS_OF: &str = "2025-06-01";
const OUTPUT: &str = "visa_procedure_state_duty";
const EXPECTED_VALUE: &str = "1,966.00";
const EXPECTED_CITATION: &str = "Exit visa processing (visa cancellation)";

fn screenshots() -> PathBuf {
    let dir = common::root().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shot(browser: &Browser, name: &str) {
    let path = screenshots().join(format!("{name}.png"));
    browser.screenshot(&path);
    assert!(std::fs::metadata(&path).unwrap().len() > 1000, "{name}.png");
}

fn kz_server() -> Server {
    Server::start(&common::root().join("rulebooks/kz-visa"), &["--no-watch"])
}

/// The URL's fragment (after `#`), if any.
fn fragment(url: &str) -> Option<String> {
    url.split_once('#').map(|(_, f)| f.to_string())
}

/// Follow a link the way a person does: a click, then wait for the new page.
fn follow(browser: &Browser, link: &Element) -> String {
    let href = browser.attribute(link, "href").unwrap_or_default();
    browser.click(link);
    wait_for_url(browser, &href);
    browser.url()
}

fn wait_for_url(browser: &Browser, href: &str) {
    let path = href
        .split('#')
        .next()
        .unwrap_or_default()
        .trim_start_matches("../")
        .to_string();
    for _ in 0..200 {
        if browser
            .url()
            .split('#')
            .next()
            .unwrap_or_default()
            .ends_with(&path)
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the browser did not reach {href}: at {}", browser.url());
}

/// Index → rule page → citation → its sentence in the source text → `cited by` back to the
/// rule's page.
#[test]
fn from_a_rule_to_its_sentence_and_back() {
    if !browser_available() {
        return;
    }
    let server = kz_server();
    let browser = Browser::start(&Launch::default());
    browser.goto(&format!("{}/", server.url));
    shot(&browser, "index");
    let rulebook = browser.find("a[href$=\"r/kz_visa/index.html\"]");
    follow(&browser, &rulebook);
    assert!(
        browser.title().contains("Kazakhstan"),
        "{}",
        browser.title()
    );
    shot(&browser, "rulebook");
    let rule = browser.find("a[href$=\"decl/rule-visa_state_duty_total.html\"]");
    follow(&browser, &rule);
    let heading = browser.text(&browser.find("h1"));
    assert!(heading.contains("visa_state_duty_total"), "{heading}");
    shot(&browser, "rule-visa_state_duty_total");

    let citation = browser.find("a.citation[href*=\"law/visa_guide.html#s-\"]");
    let url = follow(&browser, &citation);
    let id = fragment(&url).expect("the citation leads to a sentence");
    assert!(id.starts_with("s-"), "{url}");
    let sentence = browser.find(&format!("span.sentence#{id}"));
    assert_eq!(
        browser.attribute(&sentence, "data-cited").as_deref(),
        Some("true")
    );
    assert!(
        browser.text(&sentence).contains("AMOUNT OF STATE DUTY"),
        "{}",
        browser.text(&sentence)
    );
    // The sentence is the target: scrolled into view.
    let visible = browser.execute(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight;",
        &[Browser::arg(&sentence)],
    );
    assert_eq!(visible, true, "the cited sentence is in view");
    // The page's script gives the linked sentence the focus, for the keyboard.
    assert_eq!(
        browser.active().id,
        sentence.id,
        "the cited sentence has the focus"
    );
    shot(&browser, "law-visa_guide-sentence");

    // Back: the sentence lists what cites it, the rule among them.
    let back = browser
        .find_all("a.cited-by")
        .into_iter()
        .find(|a| {
            browser
                .attribute(a, "href")
                .is_some_and(|h| h.contains("rule-visa_state_duty_total.html"))
        })
        .expect("a cited-by link back to the rule");
    let url = follow(&browser, &back);
    assert!(
        url.contains("decl/rule-visa_state_duty_total.html"),
        "{url}"
    );
    shot(&browser, "back-to-rule");
}

/// The try page: load an example, change a fact, set the as-of date, evaluate; the expected
/// value and citation are in the decision and its explanation, and the citation leads into
/// the source text.
#[test]
fn try_a_case_from_an_example() {
    if !browser_available() {
        return;
    }
    let server = kz_server();
    let browser = Browser::start(&Launch::default());
    browser.goto(&format!("{}/r/kz_visa/try.html", server.url));
    shot(&browser, "try");
    evaluate_changed_example(&browser);
    shot(&browser, "try-decision");

    let citation = browser
        .find_all("#explanation a.citation")
        .into_iter()
        .find(|a| browser.text(a).contains(EXPECTED_CITATION))
        .unwrap_or_else(|| panic!("no citation of {EXPECTED_CITATION:?} in the explanation"));
    let url = follow(&browser, &citation);
    let id = fragment(&url).expect("the citation leads to a sentence");
    let sentence = browser.find(&format!("span.sentence#{id}"));
    assert!(
        browser.text(&sentence).contains(EXPECTED_CITATION),
        "{}",
        browser.text(&sentence)
    );
    assert_eq!(
        browser.attribute(&sentence, "data-cited").as_deref(),
        Some("true")
    );
    shot(&browser, "try-citation-sentence");
}

/// Load `EXAMPLE`, change its operation, set the date, evaluate, and check the value and that
/// the explanation cites the expected sentence.
fn evaluate_changed_example(browser: &Browser) {
    let example = browser.find("#example");
    browser.select(&example, EXAMPLE);
    // With scripts, choosing the example loads it; without, the button does.
    if !has_value(browser, "#f-assessed_on", "2026-04-06", 60) {
        browser.click(&browser.find("#load-example"));
    }
    // The example is loaded when its date is in the form.
    assert!(
        has_value(browser, "#f-assessed_on", "2026-04-06", 400),
        "the example {EXAMPLE} is loaded"
    );
    let operation = browser.find(OPERATION_FIELD);
    browser.select(&operation, OPERATION);
    let as_of = browser.find("#as-of");
    set_date(browser, &as_of, AS_OF);
    browser.click(&browser.find("#evaluate"));
    let cell = browser.wait_for(&format!("#decision tr[data-output=\"{OUTPUT}\"] td.value"));
    let value = browser.text(&cell);
    // In view for the screenshot.
    browser.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        &[Browser::arg(&cell)],
    );
    assert!(
        value.contains(EXPECTED_VALUE),
        "{OUTPUT} is {value:?}, expected {EXPECTED_VALUE}"
    );
    let cited: Vec<String> = browser
        .find_all("#explanation a.citation")
        .iter()
        .map(|a| browser.text(a))
        .collect();
    assert!(
        cited.iter().any(|c| c.contains(EXPECTED_CITATION)),
        "the explanation cites {EXPECTED_CITATION:?}; it cites {cited:?}"
    );
}

/// Whether the input `css` has the value `want` within `tries` × 50 ms.
fn has_value(browser: &Browser, css: &str, want: &str, tries: u32) -> bool {
    for _ in 0..tries {
        if let Some(e) = browser.try_find(css) {
            if browser.try_property(&e, "value").is_some_and(|v| v == want) {
                return true;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

/// A date input takes its value through a script (typing into one depends on the locale's
/// field order); the `input` and `change` events let the page's scripts see it.
fn set_date(browser: &Browser, input: &Element, day: &str) {
    browser.execute(
        "arguments[0].value = arguments[1];\
         arguments[0].dispatchEvent(new Event('input', {bubbles: true}));\
         arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        &[Browser::arg(input), serde_json::json!(day)],
    );
    assert_eq!(browser.property(input, "value"), day);
}

/// The first Tab stop is the skip link, and following it moves the focus to `#main`.
#[test]
fn the_skip_link_is_the_first_tab_stop() {
    if !browser_available() {
        return;
    }
    let server = kz_server();
    let browser = Browser::start(&Launch::default());
    for page in ["/", "/r/kz_visa/index.html", "/r/kz_visa/try.html"] {
        browser.goto(&format!("{}{page}", server.url));
        // A freshly loaded page: nothing focused, the sequential focus starting at the top
        // (after a navigation Chromium may keep the previous page's starting point).
        browser.execute(
            "if (document.activeElement) { document.activeElement.blur(); } window.scrollTo(0, 0);",
            &[],
        );
        browser.press("\u{E004}");
        let focused = browser.active();
        let described = browser.execute(
            "const e = document.activeElement; return e.tagName + ' ' + e.className + ' ' + (e.getAttribute('href') || '');",
            &[],
        );
        assert_eq!(
            browser.attribute(&focused, "class").as_deref(),
            Some("skip"),
            "{page}: the first Tab stop is {described}"
        );
        assert_eq!(
            browser.attribute(&focused, "href").as_deref(),
            Some("#main")
        );
        // The skip link is shown when it has the focus.
        let shown = browser.execute(
            "const r = document.activeElement.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.top >= 0;",
            &[],
        );
        assert_eq!(shown, true, "{page}: the focused skip link is visible");
        if page == "/" {
            shot(&browser, "skip-link-focused");
        }
        browser.press("\u{E007}");
        let focused = browser.active();
        assert_eq!(
            browser.attribute(&focused, "id").as_deref(),
            Some("main"),
            "{page}: Enter on the skip link moves the focus to #main"
        );
    }
}

/// At 360 px wide nothing scrolls sideways.
#[test]
fn a_narrow_window_has_no_horizontal_scroll() {
    if !browser_available() {
        return;
    }
    let server = kz_server();
    let browser = Browser::start(&Launch {
        window: Some((360, 740)),
        no_scripts: false,
    });
    let width = browser.execute("return innerWidth;", &[]);
    assert!(
        width.as_u64().is_some_and(|w| w <= 400),
        "the window is narrow: {width}"
    );
    for (page, name) in [
        ("/", "narrow-index"),
        ("/r/kz_visa/index.html", "narrow-rulebook"),
        (
            "/r/kz_visa/decl/rule-visa_state_duty_total.html",
            "narrow-rule",
        ),
        ("/r/kz_visa/law/visa_guide.html", "narrow-law"),
        ("/r/kz_visa/try.html", "narrow-try"),
        ("/r/kz_visa/changes.html", "narrow-changes"),
    ] {
        browser.goto(&format!("{}{page}", server.url));
        let fits = browser.execute(
            "return [document.documentElement.scrollWidth, innerWidth];",
            &[],
        );
        let (scroll, inner) = (fits[0].as_u64().unwrap(), fits[1].as_u64().unwrap());
        assert!(
            scroll <= inner,
            "{page}: scrollWidth {scroll} > innerWidth {inner} at 360 px"
        );
        shot(&browser, name);
    }
}

/// With scripts off, the try form still loads an example and evaluates (a plain form post).
#[test]
fn the_try_form_works_without_scripts() {
    if !browser_available() {
        return;
    }
    let server = kz_server();
    let browser = Browser::start(&Launch {
        window: None,
        no_scripts: true,
    });
    browser.goto(&format!("{}/r/kz_visa/try.html", server.url));
    // Scripts are really off (WebDriver's own scripts still run):
    // The page's script focuses a linked sentence (giving it a tabindex): not here.
    browser.goto(&format!(
        "{}/r/kz_visa/law/visa_guide.html#s-131",
        server.url
    ));
    let sentence = browser.find("span.sentence#s-131");
    assert_eq!(
        browser.attribute(&sentence, "tabindex"),
        None,
        "the page's script did not run"
    );
    browser.goto(&format!("{}/r/kz_visa/try.html", server.url));
    evaluate_changed_example(&browser);
    shot(&browser, "try-without-scripts");
}

//! The HTML of the authorization server's pages: sign-up, sign-in, consent
//! and errors. One small inline stylesheet, no scripts and no other assets;
//! every field has a label; readable on a phone. Everything shown that
//! came from a request or a registration is escaped here.

use std::sync::LazyLock;

use base64::{engine::general_purpose::STANDARD, Engine as _};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use sha2::{Digest as _, Sha256};

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;background:#f3f5f7}\
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 4px #0002}\
@media (max-width:30rem){main{margin:0;min-height:100vh;border-radius:0;box-shadow:none}}\
h1{font-size:1.35rem;line-height:1.3;margin:0 0 1rem}\
p{margin:.5rem 0}\
.who{color:#4a5560;font-size:.95rem}\
label{display:block;margin:1rem 0 .25rem;font-weight:600}\
input[type=text],input[type=password]{width:100%;padding:.65rem;font-size:1rem;border:1px solid #8a96a3;border-radius:.4rem}\
input:focus,button:focus{outline:3px solid #7ab1ff;outline-offset:1px}\
ul.scopes{padding-left:1.2rem;margin:.5rem 0 1rem}\
ul.scopes li{margin:.35rem 0}\
ul.scopes code{font-size:.85rem;color:#4a5560}\
.actions{display:flex;gap:.75rem;margin-top:1.25rem;flex-wrap:wrap}\
button{flex:1;min-width:8rem;padding:.7rem 1rem;font-size:1rem;border-radius:.4rem;border:1px solid #0b57d0;cursor:pointer}\
button.primary{background:#0b57d0;color:#fff}\
button.secondary{background:#fff;color:#0b57d0}\
button.link{flex:none;min-width:0;padding:0;border:0;background:none;color:#0b57d0;text-decoration:underline;font-size:.95rem}\
.error{background:#fdecea;border:1px solid #f3b4ac;color:#8a1c11;padding:.6rem .8rem;border-radius:.4rem}\
.status{background:#e8f3ec;border:1px solid #a9d3b5;padding:.6rem .8rem;border-radius:.4rem}\
.note{font-size:.9rem;color:#4a5560}\
footer{margin-top:1.5rem;font-size:.9rem;color:#4a5560}";

/// `'sha256-…'`: the one stylesheet the pages' Content-Security-Policy lets
/// run.
static STYLE_SOURCE: LazyLock<String> =
    LazyLock::new(|| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(STYLE))));

/// The Content-Security-Policy of every page: nothing loads but the inline
/// stylesheet, nothing frames it, and its forms post to this server or, on
/// the authorization pages, to `form_target` (the portal's validated
/// redirect origin, where the answer sends the browser).
pub fn content_security_policy(form_target: Option<&str>) -> String {
    let extra = form_target.map(|t| format!(" {t}")).unwrap_or_default();
    format!(
        "default-src 'none'; style-src {}; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'{extra}",
        *STYLE_SOURCE
    )
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title} · fhir-import</title>
<style>{STYLE}</style></head>
<body><main>
{body}
</main></body></html>"#,
        title = text(title),
    )
}

fn alert(problem: Option<&str>) -> String {
    problem
        .map(|p| format!(r#"<p class="error" role="alert">{}</p>"#, text(p)))
        .unwrap_or_default()
}

fn hidden(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                attr(name),
                attr(value)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The portal a page is about, as the user should see it.
pub struct PortalView<'a> {
    pub name: &'a str,
    pub owner: &'a str,
    /// Where the answer sends the browser, in words (a host, or the
    /// command line on this computer).
    pub destination: &'a str,
}

fn portal_line(portal: &PortalView<'_>) -> String {
    format!(
        r#"<p class="who"><strong>{}</strong> is a portal registered by <strong>{}</strong>. You will be sent back to <strong>{}</strong>.</p>"#,
        text(portal.name),
        text(portal.owner),
        text(portal.destination),
    )
}

/// Signing in before a portal's request: username and password, or cancel.
pub fn sign_in(
    portal: &PortalView<'_>,
    request_fields: &[(&str, &str)],
    csrf: &str,
    username: &str,
    problem: Option<&str>,
    signup_open: bool,
) -> String {
    let signup = match signup_open {
        true => {
            r#"<footer>No account yet? <a href="/signup">Sign up</a>, then come back to this page.</footer>"#
        }
        false => "",
    };
    let body = format!(
        r#"<h1>Sign in to continue to {name}</h1>
{portal}
{problem}
<form method="post" action="/oauth/authorize">
{hidden}
<label for="username">Username</label>
<input type="text" id="username" name="username" value="{username}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="actions">
<button type="submit" class="primary" name="step" value="sign_in">Sign in</button>
<button type="submit" class="secondary" name="step" value="cancel" formnovalidate>Cancel</button>
</div>
</form>
{signup}"#,
        name = text(portal.name),
        portal = portal_line(portal),
        problem = alert(problem),
        hidden = hidden(&[request_fields, &[("csrf", csrf)]].concat()),
        username = attr(username),
    )
    .to_string();
    layout("Sign in", &body)
}

/// One scope as a consent page lists it.
pub struct ScopeView<'a> {
    pub scope: &'a str,
    pub words: &'a str,
}

/// A signed-in user allows or denies a portal's request.
pub fn consent(
    portal: &PortalView<'_>,
    username: &str,
    scopes: &[ScopeView<'_>],
    withheld: &[ScopeView<'_>],
    request_fields: &[(&str, &str)],
    csrf: &str,
) -> String {
    let list = |scopes: &[ScopeView<'_>]| -> String {
        scopes
            .iter()
            .map(|s| format!("<li>{} <code>{}</code></li>", text(s.words), text(s.scope)))
            .collect()
    };
    let withheld = match withheld.is_empty() {
        true => String::new(),
        false => format!(
            r#"<p class="note">Also asked for, but your account does not have the right, so it will not be given:</p><ul class="scopes">{}</ul>"#,
            list(withheld)
        ),
    };
    let fields = [request_fields, &[("csrf", csrf)]].concat();
    let body = format!(
        r#"<h1>Allow {name} to act for you?</h1>
<p class="who">Signed in as <strong>{user}</strong>.</p>
{portal}
<p>If you allow it, {name} may:</p>
<ul class="scopes">{granted}</ul>
{withheld}
<form method="post" action="/oauth/authorize">
{hidden}
<div class="actions">
<button type="submit" class="primary" name="step" value="allow">Allow</button>
<button type="submit" class="secondary" name="step" value="deny">Deny</button>
</div>
</form>
<footer><form method="post" action="/oauth/authorize">
{hidden}
Not {user}? <button type="submit" class="link" name="step" value="sign_out">Sign out</button>
</form></footer>"#,
        name = text(portal.name),
        user = text(username),
        portal = portal_line(portal),
        granted = list(scopes),
        hidden = hidden(&fields),
    );
    layout(&format!("Allow {}?", portal.name), &body)
}

/// Creating an account, or that it was created.
pub fn sign_up(
    csrf: &str,
    min_password_chars: usize,
    problem: Option<&str>,
    done: Option<&str>,
) -> String {
    let body = match done {
        Some(username) => format!(
            r#"<h1>Sign up to fhir-import</h1>
<p class="status" role="status">Account <strong>{}</strong> created. Go back to the portal that sent you here and sign in to allow it.</p>"#,
            text(username)
        ),
        None => format!(
            r#"<h1>Sign up to fhir-import</h1>
{problem}
<form method="post" action="/signup">
{hidden}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
<p class="note">Lowercase letters, digits, <code>-</code>, <code>_</code> and <code>.</code></p>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="new-password" minlength="{min_password_chars}" required>
<p class="note">At least {min_password_chars} characters.</p>
<div class="actions"><button type="submit" class="primary">Sign up</button></div>
</form>"#,
            problem = alert(problem),
            hidden = hidden(&[("csrf", csrf)]),
        ),
    };
    layout("Sign up", &body)
}

/// A page that only says something (closed sign-up, a request that cannot
/// be answered on the portal's redirect URI).
pub fn message(title: &str, message: &str) -> String {
    layout(
        title,
        &format!(
            r#"<h1>{}</h1><p class="error" role="alert">{}</p>"#,
            text(title),
            text(message)
        ),
    )
}

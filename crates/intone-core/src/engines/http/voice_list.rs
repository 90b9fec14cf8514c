//! Voice lists of OpenAI-compatible speech servers. OpenAI's speech API has
//! no route that lists voices, so every server invents one; these are the
//! routes and shapes seen in the wild, probed in this order:
//!
//! | route               | server (example)                     |
//! |---------------------|--------------------------------------|
//! | `/v1/audio/voices`  | Kokoro-FastAPI                       |
//! | `/v1/voices`        | Piper-backed OpenAI daemons          |
//! | `/voices`           | smaller servers                      |
//!
//! Shapes: a JSON list, `{"voices": [...]}` or `{"data": [...]}`, whose items
//! are voice ids (strings) or objects with `id` (or `voice_id`, `name`,
//! `voice`), an optional display `name` and an optional `language` (or
//! `lang`, `locale`, `language_code`). Anything else, such as a web UI's
//! HTML page served for every unknown path, is not a voice list.

/// The routes probed, in order.
pub const VOICE_ROUTES: [&str; 3] = ["/v1/audio/voices", "/v1/voices", "/voices"];

/// The longest voice list read (a bound on what a server can make us hold).
pub const MAX_VOICES: usize = 10_000;

/// One voice as a server lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedVoice {
    /// The id sent back as the request's `voice`.
    pub id: String,
    /// Display name (the id when the server gives none).
    pub name: String,
    /// Language tag as the server writes it (`en_US`, `en-us`), or empty.
    pub language: String,
}

/// Reads a voice list from a response body; `None` when the body is not one
/// of the known shapes or lists no voice.
pub fn parse_voice_list(body: &[u8]) -> Option<Vec<ListedVoice>> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let items = match &v {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => ["voices", "data"]
            .iter()
            .find_map(|k| o.get(*k).and_then(serde_json::Value::as_array))?,
        _ => return None,
    };
    let list: Vec<ListedVoice> = items.iter().take(MAX_VOICES).filter_map(item).collect();
    (!list.is_empty()).then_some(list)
}

fn item(x: &serde_json::Value) -> Option<ListedVoice> {
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| x.get(*k).and_then(serde_json::Value::as_str))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    match x {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(ListedVoice {
            id: s.trim().to_string(),
            name: s.trim().to_string(),
            language: String::new(),
        }),
        serde_json::Value::Object(_) => {
            let id = text(&["id", "voice_id", "name", "voice"])?;
            Some(ListedVoice {
                name: text(&["name"]).unwrap_or_else(|| id.clone()),
                language: text(&["language", "lang", "locale", "language_code"])
                    .unwrap_or_default(),
                id,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(body: &str) -> Option<Vec<String>> {
        parse_voice_list(body.as_bytes()).map(|l| l.into_iter().map(|v| v.id).collect())
    }

    #[test]
    fn every_known_shape() {
        let two = Some(vec!["a".to_string(), "b".to_string()]);
        assert_eq!(ids(r#"["a","b"]"#), two);
        assert_eq!(ids(r#"{"voices":["a","b"]}"#), two);
        assert_eq!(ids(r#"{"voices":[{"id":"a"},{"voice_id":"b"}]}"#), two);
        assert_eq!(
            ids(r#"{"data":[{"id":"a","object":"voice"},{"name":"b"}]}"#),
            two
        );
        let full = parse_voice_list(
            br#"{"voices":[{"id":"en_US-joe-medium","name":"Joe","language":"en_US"}]}"#,
        )
        .expect("list");
        assert_eq!(
            full,
            vec![ListedVoice {
                id: "en_US-joe-medium".into(),
                name: "Joe".into(),
                language: "en_US".into()
            }]
        );
    }

    #[test]
    fn what_is_not_a_list() {
        assert_eq!(ids("<!doctype html><html>…</html>"), None);
        assert_eq!(ids(r#"{"voices":[]}"#), None);
        assert_eq!(ids(r#"{"status":"ok"}"#), None);
        assert_eq!(ids(r#"{"voices":[1, null, {"language":"en"}]}"#), None);
        assert_eq!(ids("42"), None);
    }
}

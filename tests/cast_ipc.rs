//! The cast and lexicon commands over Tauri's IPC (mock runtime, real
//! handlers, a temporary home): a script's speakers and problems, the saved
//! project cast, lexicon entries, and the cast panel's picks overriding the
//! script's front matter when a batch is planned.

#[path = "ipc/mod.rs"]
mod ipc;

use intone_core::cast::{Cast, Role};
use intone_core::GenerateRequest;
use ipc::App;
use serde_json::{json, Value};

const SCRIPT: &str = "---\ncast:\n  NARRATOR: espeak:en-us\n  MARA: espeak:en-us\n---\n# The Lighthouse\n\n## Evening\n\nThe keeper lit the lamp. [pause 1s] The sea was calm.\n\nMARA: Siobhan, the day is done. Is the boat in?\n";

fn casting(app: &App, text: &str, cast: Value) -> Value {
    app.ok(
        "script_casting",
        json!({"name": "lighthouse.md", "text": text, "project": null, "cast": cast, "voice": "espeak:en-us"}),
    )
}

#[test]
fn speakers_casts_and_lexicon_over_ipc() {
    let home = tempfile::tempdir().expect("tmp");
    let app = App::start(home.path());

    // Speakers, narrator first, with their counts and a line each.
    let c = casting(&app, SCRIPT, Value::Null);
    let speakers = c["speakers"].as_array().expect("speakers");
    let names: Vec<&str> = speakers
        .iter()
        .map(|s| s["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["NARRATOR", "MARA"], "{c}");
    assert_eq!(speakers[0]["sentences"], 2, "{c}");
    assert_eq!(speakers[1]["sentences"], 2, "{c}");
    assert_eq!(speakers[1]["voice"], "espeak:en-us");
    assert!(speakers[1]["sample"]
        .as_str()
        .is_some_and(|s| s.contains("Siobhan")));
    assert_eq!(c["problems"], json!([]), "{c}");

    // A marker naming a speaker the cast lacks is a problem.
    let bad = casting(
        &app,
        &format!("{SCRIPT}\n[voice: TOM] Ahoy.\n"),
        Value::Null,
    );
    assert!(
        bad["problems"].to_string().contains("TOM"),
        "{}",
        bad["problems"]
    );
    // Text with nothing to speak is a readable error, not a panic.
    let e = app
        .call(
            "script_casting",
            json!({"name": "x.md", "text": "", "project": null, "cast": null, "voice": null}),
        )
        .expect_err("empty");
    assert!(e.contains("no text to speak"), "{e}");

    // The project's saved cast casts a script without front matter.
    app.ok(
        "save_cast",
        json!({"project": "The Lighthouse", "cast": {"roles": {"MARA": {"voice": "espeak:en-us"}}}}),
    );
    let bare = SCRIPT.split_once("---\n# ").map(|(_, b)| format!("# {b}"));
    let c = casting(&app, &bare.expect("body"), Value::Null);
    assert_eq!(c["cast"]["roles"]["MARA"]["voice"], "espeak:en-us", "{c}");
    assert_eq!(c["speakers"][1]["name"], "MARA", "{c}");

    // Lexicon: add, list, replace, remove, and readable errors.
    let entry = json!({"word": "Siobhan", "respell": "shi-VAWN"});
    app.ok(
        "lexicon_put",
        json!({"scope": "The Lighthouse", "entry": entry}),
    );
    let list = app.ok("lexicon_list", json!({"scope": "The Lighthouse"}));
    assert_eq!(list["entries"][0]["word"], "Siobhan", "{list}");
    assert_eq!(
        app.ok("lexicon_list", json!({"scope": ""}))["entries"],
        json!([])
    );
    let touched = app.ok(
        "lexicon_touches",
        json!({"scope": "The Lighthouse", "entries": [entry]}),
    );
    assert_eq!(touched, json!([]), "no finished tracks yet");
    let e = app
        .call(
            "lexicon_put",
            json!({"scope": "", "entry": {"word": "Siobhan"}}),
        )
        .expect_err("no respelling");
    assert!(e.contains("Siobhan"), "{e}");
    let e = app
        .call(
            "lexicon_test",
            json!({"entry": {"word": ""}, "voice": "espeak:en-us"}),
        )
        .expect_err("no word");
    assert!(e.contains("word"), "{e}");
    app.ok(
        "lexicon_remove",
        json!({"scope": "The Lighthouse", "word": "siobhan"}),
    );
    let e = app
        .call(
            "lexicon_remove",
            json!({"scope": "The Lighthouse", "word": "Siobhan"}),
        )
        .expect_err("gone");
    assert!(e.contains("Siobhan"), "{e}");
    let e = app
        .call(
            "preview_line",
            json!({"voice": "espeak:en-us", "text": " ", "label": "speaker:MARA"}),
        )
        .expect_err("no line");
    assert!(e.contains("no line"), "{e}");
}

#[test]
fn picked_voices_override_the_front_matter_when_planning() {
    let home = tempfile::tempdir().expect("tmp");
    let app = App::start(home.path());
    let studio = &app.studio;
    let text = SCRIPT.replace("MARA: espeak:en-us", "MARA: espeak:en-gb");
    let script = studio.save_script("lighthouse.md", &text).expect("save");
    let picked = Cast {
        roles: [(
            "MARA".to_string(),
            Role {
                voice: "espeak:en-us".into(),
                settings: Default::default(),
            },
        )]
        .into(),
    };
    let plan = studio
        .plan(&GenerateRequest {
            scripts: vec![script],
            roles: Some(picked),
            check: false,
            ..Default::default()
        })
        .expect("plan");
    assert_eq!(plan.casts[0].roles["MARA"].voice, "espeak:en-us");
    assert_eq!(plan.casts[0].roles["NARRATOR"].voice, "espeak:en-us");
}

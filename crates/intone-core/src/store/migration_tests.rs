//! Migrations: stores made by earlier versions upgrade in place, processes
//! opening a new store at once migrate it once, and the connection settings.

use super::*;

#[test]
fn database_made_by_version_1_upgrades_in_place() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("intone.db");
    {
        let old = Store::open_at_version(&db, 1).expect("v1");
        assert_eq!(old.schema_version().expect("v"), 1);
        old.with(|c| {
            c.execute_batch(
                "INSERT INTO projects (name, slug) VALUES ('Old', 'old');
                 INSERT INTO scripts (project_id, source, title, content_hash, body) VALUES (1, 'a.md', 'A', 'h', 'x');
                 INSERT INTO sections (script_id, position, title, body, word_count) VALUES (1, 0, 'Intro', 'Hi.', 1);
                 INSERT INTO batches (project_id, voice, format, sample_rate_hz, bit_depth, status) VALUES (1, 'espeak:en-us', 'wav', 48000, 16, 'completed');
                 INSERT INTO tracks (batch_id, section_id, position, variant, variant_json, voice, status, output_path)
                   VALUES (1, 1, 0, 'voice', '{}', 'espeak:en-us', 'completed', '/x.wav');",
            )?;
            Ok(())
        })
        .expect("seed");
        // Version 1 has no result columns.
        assert!(old
            .with(|c| Ok(c
                .prepare("SELECT loudness_lufs FROM tracks")?
                .column_count()))
            .is_err());
    }
    let store = Store::open(&db).expect("upgrade");
    assert_eq!(store.schema_version().expect("v"), migrations_count());
    assert!(store.inputs().expect("inputs table exists").is_empty());
    let b = store.batch(1).expect("batch survives the batches rebuild");
    assert_eq!(
        (b.format.as_str(), b.encode.clone()),
        ("wav", Default::default())
    );
    assert!(
        !b.speech_check,
        "batches made before version 7 do not check"
    );
    let t = store.tracks(1).expect("tracks");
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].output_path.as_deref(), Some("/x.wav"));
    assert_eq!(t[0].loudness_lufs, None);
    assert_eq!(store.batch(1).expect("b").status, BatchStatus::Completed);
    // Reopening an up-to-date store changes nothing.
    drop(store);
    assert_eq!(
        Store::open(&db)
            .expect("reopen")
            .schema_version()
            .expect("v"),
        migrations_count()
    );
}

/// Version 8 renames what held something else than its name said: the
/// `voice` columns become `engine`, and speech recipes' `bed_level_db` and
/// `tempo` become `bed_level_lu` and `tempo_ratio`, with their values;
/// other kinds' recipes are left as they were.
#[test]
fn version_7_store_upgrades_to_the_names_of_version_8() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("intone.db");
    let speech =
        r#"{"name":"rain","bed_level_db":-14.0,"tempo":0.9,"target_lufs":-19.0,"takes":{"2":1}}"#;
    let music = r#"{"engine":"builtin","prompt":"calm","tempo":72}"#;
    {
        let old = Store::open_at_version(&db, 7).expect("v7");
        old.with(|c| {
            c.execute_batch(
                "INSERT INTO projects (name, slug) VALUES ('Old', 'old');
                 INSERT INTO batches (project_id, kind, voice, format, sample_rate_hz, bit_depth, status)
                   VALUES (1, 'speech', 'espeak:en-us', 'wav', 48000, 16, 'completed'),
                          (1, 'music', 'builtin', 'wav', 48000, 16, 'completed');",
            )?;
            c.execute(
                "INSERT INTO tracks (batch_id, position, title, variant, recipe_json, voice, status)
                 VALUES (1, 0, 'Intro', 'rain', ?1, 'espeak:en-us', 'completed'),
                        (2, 0, 'calm', 'seed 1', ?2, 'builtin', 'completed')",
                [speech, music],
            )?;
            Ok(())
        })
        .expect("seed");
    }
    let store = Store::open(&db).expect("upgrade");
    assert_eq!(store.schema_version().expect("v"), 11);
    assert_eq!(store.batch(1).expect("b").engine, "espeak:en-us");
    let t = store.tracks(1).expect("tracks");
    assert_eq!(t[0].engine, "espeak:en-us");
    let (_, recipe) = store.track_inputs(t[0].id).expect("inputs");
    let v: serde_json::Value = serde_json::from_str(&recipe).expect("json");
    assert_eq!(v["bed_level_lu"], -14.0);
    assert_eq!(v["tempo_ratio"], 0.9);
    assert!(
        v.get("bed_level_db").is_none() && v.get("tempo").is_none(),
        "{v}"
    );
    assert_eq!(v["takes"]["2"], 1);
    let r = crate::kinds::speech::SpeechRecipe::parse(&recipe).expect("speech recipe");
    assert_eq!(
        (r.variant.bed_level_lu, r.variant.tempo_ratio),
        (-14.0, 0.9)
    );
    let m = store.tracks(2).expect("music tracks");
    assert_eq!(m[0].engine, "builtin");
    let (_, recipe) = store.track_inputs(m[0].id).expect("inputs");
    let v: serde_json::Value = serde_json::from_str(&recipe).expect("json");
    assert_eq!(
        v["tempo"], 72,
        "music's own tempo (BPM) is not a speech tempo"
    );
}

/// A version-3 store full of speech batches (with finished steps and a
/// running one) upgrades to the generalized tracks without losing a row:
/// the rebuild of `tracks` must not cascade into `steps`.
#[test]
fn version_3_store_with_speech_batches_upgrades_to_job_kinds() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("intone.db");
    {
        let old = Store::open_at_version(&db, 3).expect("v3");
        old.with(|c| {
            let tx = c.transaction()?;
            tx.execute_batch(
                "INSERT INTO projects (name, slug) VALUES ('Old', 'old');
                 INSERT INTO scripts (project_id, source, title, content_hash, body) VALUES (1, 'a.md', 'A', 'h', 'x');",
            )?;
            for b in 1..=3 {
                tx.execute(
                    "INSERT INTO batches (project_id, voice, format, sample_rate_hz, bit_depth, status, expected, completed)
                     VALUES (1, 'espeak:en-us', 'wav', 48000, 16, 'completed', 4, 4)",
                    [],
                )?;
                for s in 0..4 {
                    tx.execute(
                        "INSERT INTO sections (script_id, position, title, body, word_count)
                         VALUES (1, ?1, ?2, 'Hi.', 1)",
                        rusqlite::params![b * 10 + s, format!("Section {b}.{s}")],
                    )?;
                    let sid = tx.last_insert_rowid();
                    tx.execute(
                        "INSERT INTO tracks (batch_id, section_id, position, variant, variant_json, voice, status,
                                             output_path, loudness_lufs)
                         VALUES (?1, ?2, ?3, 'voice', '{}', 'espeak:en-us', 'completed', '/x.wav', -16.0)",
                        rusqlite::params![b, sid, s],
                    )?;
                    let tid = tx.last_insert_rowid();
                    for step in ["synthesize", "assemble", "mix"] {
                        tx.execute(
                            "INSERT INTO steps (track_id, name, status, output_json) VALUES (?1, ?2, 'done', '{}')",
                            rusqlite::params![tid, step],
                        )?;
                    }
                }
            }
            tx.commit()?;
            Ok(())
        })
        .expect("seed");
    }
    let store = Store::open(&db).expect("upgrade");
    assert_eq!(store.schema_version().expect("v"), migrations_count());
    let steps: i64 = store
        .with(|c| Ok(c.query_row("SELECT count(*) FROM steps", [], |r| r.get(0))?))
        .expect("steps");
    assert_eq!(steps, 3 * 4 * 3, "no step was lost to a cascade");
    for b in 1..=3 {
        let t = store.tracks(b).expect("tracks");
        assert_eq!(t.len(), 4);
        assert_eq!(t[2].title, format!("Section {b}.2"));
        assert!(t[2].section_id.is_some());
        assert_eq!(t[2].collection, None);
        assert_eq!(t[2].loudness_lufs, Some(-16.0));
        assert_eq!(store.batch(b).expect("b").kind, JobKind::Speech);
    }
    let (_, recipe) = store.track_inputs(1).expect("inputs");
    assert_eq!(recipe, "{}");
    // Foreign keys are enforced again after the migration.
    let fk: i64 = store
        .with(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?))
        .expect("fk");
    assert_eq!(fk, 1);
    let bad = store.with(|c| {
        Ok(c.execute(
            "INSERT INTO steps (track_id, name, status) VALUES (999, 'mix', 'done')",
            [],
        )?)
    });
    assert!(bad.is_err(), "a step of no track is refused");
}

/// Units: planned once, kept when the plan is the same, reset when a key
/// changes, and retried alone.
#[test]
fn processes_opening_a_new_store_at_once_migrate_it_once() {
    // Separate connections (as separate processes would have), released
    // together: each must open the store, none may re-apply a migration.
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("intone.db");
    let gate = std::sync::Arc::new(std::sync::Barrier::new(6));
    let opened: Vec<_> = (0..6)
        .map(|_| {
            let (path, gate) = (path.clone(), gate.clone());
            std::thread::spawn(move || {
                gate.wait();
                Store::open(&path).and_then(|s| s.schema_version())
            })
        })
        .collect();
    for t in opened {
        let v = t.join().expect("thread").expect("open");
        assert_eq!(v, migrations_count());
    }
}

fn migrations_count() -> i64 {
    let dir = tempfile::tempdir().expect("tmp");
    Store::open(&dir.path().join("x.db"))
        .and_then(|s| s.schema_version())
        .expect("open")
}

#[test]
fn store_uses_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("x.db")).expect("open");
    let (mode, fk): (String, i64) = store
        .with(|c| {
            Ok((
                c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
            ))
        })
        .expect("pragmas");
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
}

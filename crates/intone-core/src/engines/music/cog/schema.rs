//! Reading a Cog model's OpenAPI schema (`GET /openapi.json`): the `Input`
//! properties with their `$ref`/`allOf` enums inlined, the models it offers
//! (`model_version`'s enum, default first), the parameters shown to the user,
//! and values typed as the schema says.

use serde_json::{json, Map, Value};

use super::OWN_INPUTS;
use crate::engines::music::ParamInfo;

/// The `Input` schema's properties, with `$ref`/`allOf` enums inlined.
pub(super) fn resolve_inputs(doc: &Value) -> Option<Map<String, Value>> {
    let schemas = doc["components"]["schemas"].as_object()?;
    let props = schemas.get("Input")?["properties"].as_object()?;
    let mut out = Map::new();
    for (k, v) in props {
        let mut p = v.clone();
        let reference = v["allOf"][0]["$ref"]
            .as_str()
            .or_else(|| v["$ref"].as_str());
        if let Some(r) = reference.and_then(|r| r.rsplit('/').next()) {
            if let Some(target) = schemas.get(r) {
                if let (Some(obj), Some(t)) = (p.as_object_mut(), target.as_object()) {
                    for (tk, tv) in t {
                        obj.entry(tk.clone()).or_insert_with(|| tv.clone());
                    }
                }
            }
        }
        out.insert(k.clone(), p);
    }
    Some(out)
}

/// A parameter's value as the JSON type its schema says.
pub(super) fn typed(schema: &Value, v: &str) -> Result<Value, String> {
    let v = v.trim();
    match schema["type"].as_str() {
        Some("integer") => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0)
            .map(|n| json!(n as i64))
            .ok_or_else(|| format!("\"{v}\" is not a whole number")),
        Some("number") => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|n| json!(n))
            .ok_or_else(|| format!("\"{v}\" is not a number")),
        Some("boolean") => match v {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("\"{v}\" is not true or false")),
        },
        _ => Ok(Value::String(v.to_string())),
    }
}

/// The models (`model_version`'s choices, the default first) and the
/// parameters a user may set (every input but those Intone fills), in the
/// schema's `x-order`.
pub(super) fn models_and_params(props: &Map<String, Value>) -> (Vec<String>, Vec<ParamInfo>) {
    let models = props
        .get("model_version")
        .and_then(|p| p["enum"].as_array())
        .map(|a| {
            let default = props["model_version"]["default"].as_str();
            let mut v: Vec<String> = a
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
            // The default model first.
            v.sort_by_key(|m| Some(m.as_str()) != default);
            v
        })
        .unwrap_or_default();
    let mut params: Vec<(i64, ParamInfo)> = props
        .iter()
        .filter(|(k, _)| !OWN_INPUTS.contains(&k.as_str()))
        .map(|(k, p)| {
            (
                p["x-order"].as_i64().unwrap_or(i64::MAX),
                ParamInfo {
                    name: k.clone(),
                    kind: p["type"].as_str().unwrap_or("string").to_string(),
                    default: match &p["default"] {
                        Value::Null => None,
                        Value::String(s) => Some(s.clone()),
                        d => Some(d.to_string()),
                    },
                    minimum: p["minimum"].as_f64(),
                    maximum: p["maximum"].as_f64(),
                    choices: p["enum"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default(),
                    description: p["description"].as_str().unwrap_or_default().to_string(),
                },
            )
        })
        .collect();
    params.sort_by_key(|(o, p)| (*o, p.name.clone()));
    (models, params.into_iter().map(|(_, p)| p).collect())
}

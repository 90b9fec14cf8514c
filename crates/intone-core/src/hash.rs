//! Content keys: BLAKE3 over a list of parts, each prefixed by its length
//! as a little-endian `u64`, so no two different lists of parts hash alike
//! (`["ab", "c"]` and `["a", "bc"]` differ). Every durable key is made here:
//! a track's source key, a conversion chunk's key, a scene's key, a sentence
//! clip's cache key.

/// The key of `parts`: 64 lowercase hex digits of BLAKE3 (256 bits).
pub fn key<S: AsRef<[u8]>>(parts: &[S]) -> String {
    let mut h = blake3::Hasher::new();
    for part in parts {
        let b = part.as_ref();
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    }
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_are_length_prefixed() {
        assert_ne!(super::key(&["ab", "c"]), super::key(&["a", "bc"]));
        assert_eq!(super::key(&["x"]), super::key(&[String::from("x")]));
        assert_eq!(super::key::<&str>(&[]).len(), 64);
    }
}

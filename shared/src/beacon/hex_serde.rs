//! Fixed-size byte arrays as lower-case hex in JSON and TOML.

use serde::{Deserialize, Deserializer, Serializer, de::Error};

pub fn serialize<S: Serializer, const N: usize>(
    bytes: &[u8; N],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&hex::encode(bytes))
}

pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
    deserializer: D,
) -> Result<[u8; N], D::Error> {
    let text = String::deserialize(deserializer)?;
    let bytes = hex::decode(text.trim())
        .map_err(|e| D::Error::custom(format!("{text:?} is not hex: {e}")))?;
    let len = bytes.len();
    bytes.try_into().map_err(|_| {
        D::Error::custom(format!(
            "{text:?} is {len} bytes, expected {N} ({} hex digits)",
            2 * N
        ))
    })
}

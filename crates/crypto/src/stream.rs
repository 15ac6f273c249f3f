//! SM3 over data fed piece by piece, for digests of more than fits in memory (a table read
//! row by row, a backup file read a chunk at a time).

use sm3::{Digest, Sm3};

/// An SM3 digest being computed.
#[derive(Clone, Default)]
pub struct Sm3Stream(Sm3);

impl Sm3Stream {
    pub fn new() -> Sm3Stream {
        Sm3Stream(Sm3::new())
    }

    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The digest of everything fed, as 64 lowercase hex characters.
    pub fn finish_hex(self) -> String {
        hex::encode(self.0.finalize())
    }
}

impl std::io::Write for Sm3Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_give_the_digest_of_the_whole() {
        let mut s = Sm3Stream::new();
        s.update(b"a");
        s.update(b"bc");
        assert_eq!(s.finish_hex(), crate::sm3_hex(b"abc"));
    }
}

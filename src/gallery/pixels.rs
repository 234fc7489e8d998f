//! A plain RGBA8 pixel buffer shared by the CPU-side painters (generative art, floors, text).

/// Row-major, top row first, 4 bytes per pixel (sRGB-encoded RGBA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Pixels {
    /// A buffer filled with one colour.
    pub fn filled(width: u32, height: u32, rgba: [u8; 4]) -> Pixels {
        let count = width as usize * height as usize;
        let mut data = Vec::with_capacity(count * 4);
        for _ in 0..count {
            data.extend_from_slice(&rgba);
        }
        Pixels {
            width,
            height,
            rgba: data,
        }
    }

    pub fn get(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }

    pub fn set(&mut self, x: u32, y: u32, rgba: [u8; 4]) {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        self.rgba[i..i + 4].copy_from_slice(&rgba);
    }

    /// FNV-1a (64-bit) over width, height and the pixel bytes: a portable fingerprint used by
    /// golden tests, identical on every platform.
    pub fn fingerprint(&self) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |byte: u8| {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        };
        for byte in self
            .width
            .to_le_bytes()
            .into_iter()
            .chain(self.height.to_le_bytes())
        {
            eat(byte);
        }
        for &byte in &self.rgba {
            eat(byte);
        }
        hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_depends_on_every_pixel_and_the_shape() {
        let a = Pixels::filled(4, 2, [10, 20, 30, 255]);
        let mut b = a.clone();
        assert_eq!(a.fingerprint(), b.fingerprint());
        b.set(3, 1, [10, 20, 31, 255]);
        assert_ne!(a.fingerprint(), b.fingerprint());
        let c = Pixels::filled(2, 4, [10, 20, 30, 255]);
        assert_ne!(a.fingerprint(), c.fingerprint());
    }
}

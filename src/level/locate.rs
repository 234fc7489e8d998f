//! Finds where a field path such as `works[3].placement.wall` sits in a RON text.
//!
//! Serde forgets positions once a level is deserialised, so semantic errors are located by a
//! second, tolerant pass over the text: a small RON reader that records where every struct
//! field, list element and map entry starts. It never panics and gives up quietly on text it
//! does not understand (the real parser has already accepted the file).

use std::collections::HashMap;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };
}

#[derive(Debug, Default)]
struct Node {
    pos: Option<Pos>,
    fields: HashMap<String, Node>,
    items: Vec<Node>,
    keys: HashMap<String, Node>,
}

/// Positions of the values in a RON document, addressed by field paths.
#[derive(Debug)]
pub struct Locator {
    root: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Other(String),
    Punct(char),
}

const MAX_DEPTH: usize = 256;

impl Locator {
    pub fn new(text: &str) -> Locator {
        let tokens = tokenize(text);
        let mut reader = Reader { tokens, at: 0 };
        let root = reader.value(0);
        Locator { root }
    }

    /// The position of the value at `path`, or of its deepest ancestor present in the text.
    pub fn find(&self, path: &str) -> Pos {
        let mut node = &self.root;
        let mut best = node.pos.unwrap_or(Pos::START);
        for segment in parse_path(path) {
            let next = match &segment {
                Segment::Field(name) => lookup_field(node, name),
                Segment::Index(i) => lookup_index(node, *i),
                Segment::Key(key) => node.keys.get(key),
            };
            match next {
                Some(n) => {
                    node = n;
                    if let Some(p) = n.pos {
                        best = p;
                    }
                }
                None => break,
            }
        }
        best
    }
}

/// A field of a struct; looks through single-element wrappers such as `Some(...)`.
fn lookup_field<'a>(node: &'a Node, name: &str) -> Option<&'a Node> {
    if let Some(found) = node.fields.get(name) {
        return Some(found);
    }
    if node.items.len() == 1 {
        return lookup_field(&node.items[0], name);
    }
    None
}

fn lookup_index(node: &Node, index: usize) -> Option<&Node> {
    node.items.get(index)
}

#[derive(Debug, PartialEq)]
enum Segment {
    Field(String),
    Index(usize),
    Key(String),
}

fn parse_path(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let chars: Vec<char> = path.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => i += 1,
            '[' => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == ']')
                    .map_or(chars.len(), |p| i + p);
                let inner: String = chars[i + 1..end.min(chars.len())].iter().collect();
                if let Some(key) = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    out.push(Segment::Key(key.to_string()));
                } else if let Ok(index) = inner.parse() {
                    out.push(Segment::Index(index));
                }
                i = end + 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                out.push(Segment::Field(chars[start..i].iter().collect()));
            }
        }
    }
    out
}

fn tokenize(text: &str) -> Vec<(Tok, Pos)> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut column) = (0usize, 1usize, 1usize);
    // Advance over `n` characters, tracking lines.
    let advance = |i: &mut usize, line: &mut usize, column: &mut usize, n: usize| {
        for _ in 0..n {
            if *i < chars.len() {
                if chars[*i] == '\n' {
                    *line += 1;
                    *column = 1;
                } else {
                    *column += 1;
                }
                *i += 1;
            }
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, column };
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            advance(&mut i, &mut line, &mut column, 1);
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                advance(&mut i, &mut line, &mut column, 1);
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0usize;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    advance(&mut i, &mut line, &mut column, 2);
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    advance(&mut i, &mut line, &mut column, 2);
                    if depth == 0 {
                        break;
                    }
                } else {
                    advance(&mut i, &mut line, &mut column, 1);
                }
            }
        } else if c == '"' {
            let mut value = String::new();
            advance(&mut i, &mut line, &mut column, 1);
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    advance(&mut i, &mut line, &mut column, 1);
                }
                if let Some(&ch) = chars.get(i) {
                    value.push(ch);
                }
                advance(&mut i, &mut line, &mut column, 1);
            }
            advance(&mut i, &mut line, &mut column, 1);
            tokens.push((Tok::Str(value), pos));
        } else if c == 'r' && (next == Some('"') || next == Some('#')) {
            // Raw string r"..." or r#"..."#, or a raw identifier r#name.
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) == Some(&'"') {
                let n = j - i + 1;
                advance(&mut i, &mut line, &mut column, n);
                let mut value = String::new();
                while i < chars.len() {
                    if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                        advance(&mut i, &mut line, &mut column, hashes + 1);
                        break;
                    }
                    value.push(chars[i]);
                    advance(&mut i, &mut line, &mut column, 1);
                }
                tokens.push((Tok::Str(value), pos));
            } else {
                let n = j - i;
                advance(&mut i, &mut line, &mut column, n);
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    advance(&mut i, &mut line, &mut column, 1);
                }
                tokens.push((Tok::Ident(chars[start..i].iter().collect()), pos));
            }
        } else if c == '\'' {
            let start = i;
            advance(&mut i, &mut line, &mut column, 1);
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    advance(&mut i, &mut line, &mut column, 1);
                }
                advance(&mut i, &mut line, &mut column, 1);
            }
            advance(&mut i, &mut line, &mut column, 1);
            tokens.push((
                Tok::Other(chars[start..i.min(chars.len())].iter().collect()),
                pos,
            ));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                advance(&mut i, &mut line, &mut column, 1);
            }
            tokens.push((Tok::Ident(chars[start..i].iter().collect()), pos));
        } else if c.is_ascii_digit()
            || ((c == '-' || c == '+' || c == '.') && next.is_some_and(|n| n.is_ascii_digit()))
        {
            let start = i;
            advance(&mut i, &mut line, &mut column, 1);
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '.'
                    || chars[i] == '_'
                    || ((chars[i] == '-' || chars[i] == '+') && matches!(chars[i - 1], 'e' | 'E')))
            {
                advance(&mut i, &mut line, &mut column, 1);
            }
            tokens.push((Tok::Other(chars[start..i].iter().collect()), pos));
        } else {
            tokens.push((Tok::Punct(c), pos));
            advance(&mut i, &mut line, &mut column, 1);
        }
    }
    tokens
}

struct Reader {
    tokens: Vec<(Tok, Pos)>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn peek_at(&self, offset: usize) -> Option<&Tok> {
        self.tokens.get(self.at + offset).map(|(t, _)| t)
    }

    fn pos(&self) -> Option<Pos> {
        self.tokens.get(self.at).map(|(_, p)| *p)
    }

    fn bump(&mut self) {
        self.at += 1;
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn skip_attributes(&mut self) {
        // `#![enable(...)]` lines at the top of a file.
        while self.peek() == Some(&Tok::Punct('#')) {
            self.bump();
            self.eat('!');
            if self.eat('[') {
                let mut depth = 1;
                while depth > 0 && self.peek().is_some() {
                    match self.peek() {
                        Some(Tok::Punct('[')) => depth += 1,
                        Some(Tok::Punct(']')) => depth -= 1,
                        _ => {}
                    }
                    self.bump();
                }
            }
        }
    }

    fn value(&mut self, depth: usize) -> Node {
        if depth == 0 {
            self.skip_attributes();
        }
        let mut node = Node {
            pos: self.pos(),
            ..Node::default()
        };
        if depth > MAX_DEPTH {
            return node;
        }
        match self.peek().cloned() {
            Some(Tok::Ident(_)) => {
                self.bump();
                if self.peek() == Some(&Tok::Punct('(')) {
                    self.bump();
                    self.body(&mut node, ')', depth);
                }
            }
            Some(Tok::Punct('(')) => {
                self.bump();
                self.body(&mut node, ')', depth);
            }
            Some(Tok::Punct('[')) => {
                self.bump();
                self.body(&mut node, ']', depth);
            }
            Some(Tok::Punct('{')) => {
                self.bump();
                self.map(&mut node, depth);
            }
            Some(_) => self.bump(),
            None => {}
        }
        node
    }

    /// Struct fields or tuple/list elements up to `close`.
    fn body(&mut self, node: &mut Node, close: char, depth: usize) {
        loop {
            if self.eat(close) || self.peek().is_none() {
                return;
            }
            let start = self.at;
            let is_field = matches!(self.peek(), Some(Tok::Ident(_)))
                && self.peek_at(1) == Some(&Tok::Punct(':'));
            if is_field {
                let name = match self.peek() {
                    Some(Tok::Ident(name)) => name.clone(),
                    _ => String::new(),
                };
                self.bump();
                self.bump();
                let value = self.value(depth + 1);
                node.fields.insert(name, value);
            } else {
                let value = self.value(depth + 1);
                node.items.push(value);
            }
            if !self.eat(',') && self.peek() != Some(&Tok::Punct(close)) && self.at == start {
                // Not something we understand: skip a token to guarantee progress.
                self.bump();
            }
        }
    }

    fn map(&mut self, node: &mut Node, depth: usize) {
        loop {
            if self.eat('}') || self.peek().is_none() {
                return;
            }
            let start = self.at;
            let key = match self.peek() {
                Some(Tok::Str(s)) => Some(s.clone()),
                Some(Tok::Ident(s)) | Some(Tok::Other(s)) => Some(s.clone()),
                _ => None,
            };
            let key_node = self.value(depth + 1);
            let entry = if self.eat(':') {
                let mut v = self.value(depth + 1);
                // Point errors about an entry at its key.
                v.pos = key_node.pos.or(v.pos);
                v
            } else {
                key_node
            };
            if let Some(key) = key {
                node.keys.insert(key, entry);
            }
            if !self.eat(',') && self.peek() != Some(&Tok::Punct('}')) && self.at == start {
                self.bump();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r##"#![enable(implicit_some)]
// a comment with works[9] and "quotes
Level(
    format: 1,
    rooms: [
        (id: "a", size: (1.0, 2.0)),
        Room(
            id: "b", /* nested /* comment */ */
            doorways: [Doorway(wall: East, to: "a")],
        ),
    ],
    works: [
        Work(
            id: "w",
            kind: Generative(algorithm: "x", params: {"lines": 3.0, "curl": -1e-3}),
            placement: Wall(room: "b", wall: North, offset: 1.5),
            description: r#"raw "text" here"#,
        ),
    ],
)
"##;

    #[test]
    fn finds_fields_elements_and_map_keys() {
        let loc = Locator::new(TEXT);
        assert_eq!(
            loc.find("format"),
            Pos {
                line: 4,
                column: 13
            }
        );
        assert_eq!(
            loc.find("rooms[0].size"),
            Pos {
                line: 6,
                column: 25
            }
        );
        assert_eq!(
            loc.find("rooms[1].id"),
            Pos {
                line: 8,
                column: 17
            }
        );
        assert_eq!(
            loc.find("rooms[1].doorways[0].to"),
            Pos {
                line: 9,
                column: 48
            }
        );
        assert_eq!(
            loc.find("works[0].kind.params[\"curl\"]"),
            Pos {
                line: 15,
                column: 69
            }
        );
        assert_eq!(
            loc.find("works[0].placement.wall"),
            Pos {
                line: 16,
                column: 46
            }
        );
        assert_eq!(
            loc.find("works[0].description"),
            Pos {
                line: 17,
                column: 26
            }
        );
    }

    #[test]
    fn missing_fields_fall_back_to_the_nearest_ancestor() {
        let loc = Locator::new(TEXT);
        // `height` is defaulted, so the placement itself is the place to point at.
        assert_eq!(
            loc.find("works[0].placement.height"),
            Pos {
                line: 16,
                column: 24
            }
        );
        assert_eq!(
            loc.find("works[7].title"),
            Pos {
                line: 12,
                column: 12
            }
        );
        assert_eq!(loc.find("nothing"), Pos { line: 3, column: 1 });
    }

    #[test]
    fn never_panics_on_garbage() {
        for text in [
            "",
            "(",
            ")",
            "[[[[",
            "\"unterminated",
            "r#\"",
            "/* open",
            "{:}",
            "'",
            "-",
            "#",
            "#![",
            "a: b: c",
            "((((((((((((((((((((",
        ] {
            let loc = Locator::new(text);
            let _ = loc.find("works[3].placement.wall");
        }
        let deep = "(".repeat(100_000);
        let _ = Locator::new(&deep).find("a.b");
    }
}

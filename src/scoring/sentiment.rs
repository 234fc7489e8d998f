//! A small lexicon-based sentiment analyser for visitors' comments, English and Chinese.
//!
//! # How a comment is scored
//!
//! 1. **Tokens.** Runs of letters, digits and apostrophes are English words (lowercased,
//!    apostrophes dropped for lookup, so `don't` is `dont`). Runs of Chinese characters are cut
//!    into words by forward maximum matching against the Chinese lists below (longest entry of
//!    at most [`MAX_ZH_WORD`] characters first; a character that starts no entry is a word on
//!    its own). Sentence punctuation (`. , ; : ! ?` and their full-width forms, `、`, `…`,
//!    line breaks) ends a clause.
//! 2. **Sentiment words** carry a value: ±1 mild, ±2 clear, ±3 strong ([`EN_WORDS`],
//!    [`ZH_WORDS`]). An English word that is not listed is tried once more without a final
//!    `s` (`masterpieces`).
//! 3. **Intensifiers** directly before a sentiment word multiply its value (`very` 1.5,
//!    `slightly` 0.5, `很` 1.5, `有点` 0.6; [`EN_INTENSIFIERS`], [`ZH_INTENSIFIERS`]); chains
//!    multiply (`really very good`). A word between them cancels the boost.
//! 4. **Negation.** A negator ([`EN_NEGATORS`], [`ZH_NEGATORS`], and any English word ending
//!    in `n't`) flips the next sentiment word within [`NEGATION_SCOPE`] words of the same
//!    clause, multiplying it by [`NEGATION_FACTOR`] (−0.75: "not good" is less negative than
//!    "bad"). Two negators cancel (`不是不好`). Under negation an intensifier weakens instead
//!    of strengthening (`not very good` is mildly negative: the value is divided by the
//!    boost). A negator directly followed by `only` or `just` is no negation (`not only`).
//! 5. **Dual words.** `pretty` and `好` are intensifiers when a sentiment word or another
//!    intensifier follows (`pretty dull`, `好美`), sentiment words otherwise. `like` is a
//!    sentiment word only after a personal pronoun, a negator or an intensifier (`I like it`,
//!    `don't like`, `really like`), never as a preposition (`looks like a lake`).
//! 6. **Contrast.** At `but`, `however`, `但是`, `不过`, `可是`, `然而`, `却`, … ([`EN_CONTRAST`],
//!    [`ZH_CONTRAST`]) everything so far counts half and everything after counts 1.5 times:
//!    what follows "but" is what the visitor means.
//! 7. **Neutral Chinese words** ([`ZH_NEUTRAL`]) exist only to stop the matcher from reading a
//!    sentiment character inside an unrelated word: `美术馆` (art museum) is not `美`, `差不多`
//!    (almost) is not `差`, `好像` (seems) is not `好`, `不过` is a contrast, not `不`.
//!
//! The sum `s` of the weighted values is squashed into −1..1 by `s / √(s² + SQUASH)` with
//! [`SQUASH`] = 4: `good` (2) scores 0.71, `fine` (1) 0.45, `very good` (3) 0.83. A comment
//! without sentiment words scores 0.
//!
//! This is deliberately small and explainable: [`analyse`] lists every word that counted and
//! its weighted value. Known limits: sarcasm, negation reaching over a verb phrase longer
//! than the scope, words not in the lists.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Longest Chinese entry, in characters.
pub const MAX_ZH_WORD: usize = 4;
/// A negator reaches this many following words (intensifiers do not count) in its clause.
pub const NEGATION_SCOPE: usize = 4;
/// A negated sentiment value is multiplied by this.
pub const NEGATION_FACTOR: f64 = -0.75;
/// Before a contrast word values count this much…
pub const BEFORE_CONTRAST: f64 = 0.5;
/// …and after it this much.
pub const AFTER_CONTRAST: f64 = 1.5;
/// The sum `s` is reported as `s / √(s² + SQUASH)`.
pub const SQUASH: f64 = 4.0;

/// English sentiment words and their values, written for comments on art.
pub const EN_WORDS: &[(&str, f64)] = &[
    // Strong praise.
    ("masterpiece", 3.0),
    ("stunning", 3.0),
    ("breathtaking", 3.0),
    ("extraordinary", 3.0),
    ("magnificent", 3.0),
    ("sublime", 3.0),
    ("exquisite", 3.0),
    ("brilliant", 3.0),
    ("superb", 3.0),
    ("outstanding", 3.0),
    ("phenomenal", 3.0),
    ("spectacular", 3.0),
    ("mesmerising", 3.0),
    ("mesmerizing", 3.0),
    ("incredible", 3.0),
    ("amazing", 3.0),
    ("astonishing", 3.0),
    ("love", 3.0),
    ("loved", 3.0),
    ("loves", 3.0),
    ("adore", 3.0),
    ("adored", 3.0),
    ("perfect", 3.0),
    ("wonderful", 3.0),
    ("gorgeous", 3.0),
    ("best", 3.0),
    ("favourite", 3.0),
    ("favorite", 3.0),
    // Clear praise.
    ("beautiful", 2.0),
    ("beautifully", 2.0),
    ("beauty", 2.0),
    ("lovely", 2.0),
    ("great", 2.0),
    ("good", 2.0),
    ("nice", 2.0),
    ("impressive", 2.0),
    ("moving", 2.0),
    ("touching", 2.0),
    ("powerful", 2.0),
    ("striking", 2.0),
    ("elegant", 2.0),
    ("delicate", 2.0),
    ("vivid", 2.0),
    ("vibrant", 2.0),
    ("charming", 2.0),
    ("enjoy", 2.0),
    ("enjoyed", 2.0),
    ("enjoying", 2.0),
    ("liked", 2.0),
    ("inspiring", 2.0),
    ("captivating", 2.0),
    ("evocative", 2.0),
    ("serene", 2.0),
    ("peaceful", 2.0),
    ("harmonious", 2.0),
    ("fascinating", 2.0),
    ("delightful", 2.0),
    ("pleasant", 2.0),
    ("luminous", 2.0),
    ("radiant", 2.0),
    ("clever", 2.0),
    ("original", 2.0),
    ("thoughtful", 2.0),
    ("memorable", 2.0),
    ("poetic", 2.0),
    ("tender", 2.0),
    ("graceful", 2.0),
    ("admire", 2.0),
    ("admired", 2.0),
    ("appreciate", 2.0),
    ("recommend", 2.0),
    ("happy", 2.0),
    ("joy", 2.0),
    ("joyful", 2.0),
    ("calm", 2.0),
    ("warm", 1.0),
    ("fun", 2.0),
    // Mild praise.
    ("fine", 1.0),
    ("ok", 1.0),
    ("okay", 1.0),
    ("decent", 1.0),
    ("interesting", 1.0),
    ("solid", 1.0),
    ("subtle", 1.0),
    ("fresh", 1.0),
    // Strong dislike.
    ("awful", -3.0),
    ("terrible", -3.0),
    ("horrible", -3.0),
    ("hideous", -3.0),
    ("ugly", -3.0),
    ("hate", -3.0),
    ("hated", -3.0),
    ("hates", -3.0),
    ("worst", -3.0),
    ("disgusting", -3.0),
    ("garbage", -3.0),
    ("trash", -3.0),
    ("rubbish", -3.0),
    ("atrocious", -3.0),
    ("dreadful", -3.0),
    ("pathetic", -3.0),
    // Clear dislike.
    ("bad", -2.0),
    ("boring", -2.0),
    ("bored", -2.0),
    ("dull", -2.0),
    ("bland", -2.0),
    ("lifeless", -2.0),
    ("messy", -2.0),
    ("cheap", -2.0),
    ("tacky", -2.0),
    ("kitsch", -2.0),
    ("pretentious", -2.0),
    ("disappointing", -2.0),
    ("disappointed", -2.0),
    ("annoying", -2.0),
    ("confusing", -2.0),
    ("clumsy", -2.0),
    ("sloppy", -2.0),
    ("poor", -2.0),
    ("weak", -2.0),
    ("muddy", -2.0),
    ("dislike", -2.0),
    ("disliked", -2.0),
    ("overrated", -2.0),
    ("meaningless", -2.0),
    ("pointless", -2.0),
    ("depressing", -2.0),
    ("unpleasant", -2.0),
    ("waste", -2.0),
    ("wasted", -2.0),
    ("mediocre", -2.0),
    ("forgettable", -2.0),
    ("derivative", -2.0),
    ("cluttered", -2.0),
    ("garish", -2.0),
    ("crude", -2.0),
    ("amateurish", -2.0),
    ("lazy", -2.0),
    ("underwhelming", -2.0),
    ("overpriced", -2.0),
    // Mild dislike.
    ("meh", -1.0),
    ("dim", -1.0),
    ("gloomy", -1.0),
    ("flat", -1.0),
    ("busy", -1.0),
    ("expensive", -1.0),
    ("odd", -1.0),
];

/// English intensifiers (above 1) and diminishers (below 1).
pub const EN_INTENSIFIERS: &[(&str, f64)] = &[
    ("very", 1.5),
    ("really", 1.4),
    ("so", 1.4),
    ("extremely", 1.8),
    ("incredibly", 1.8),
    ("absolutely", 1.7),
    ("truly", 1.4),
    ("utterly", 1.7),
    ("deeply", 1.5),
    ("totally", 1.5),
    ("too", 1.3),
    ("quite", 1.2),
    ("super", 1.6),
    ("most", 1.5),
    ("highly", 1.5),
    ("especially", 1.3),
    ("genuinely", 1.3),
    ("remarkably", 1.5),
    ("particularly", 1.3),
    ("such", 1.3),
    ("slightly", 0.5),
    ("somewhat", 0.6),
    ("bit", 0.6),
    ("kinda", 0.6),
    ("fairly", 0.8),
    ("mildly", 0.6),
    ("partly", 0.6),
];

/// English negators (apostrophes already dropped); any word ending in `n't` is one too.
pub const EN_NEGATORS: &[&str] = &[
    "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "without", "hardly",
    "barely", "cannot", "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent",
    "wont", "wouldnt", "couldnt", "shouldnt", "aint", "havent", "hasnt",
];

/// English contrast words.
pub const EN_CONTRAST: &[&str] = &["but", "however", "yet"];

/// English words that cancel a negator directly before them (`not only`).
const EN_NOT_NEGATION: &[&str] = &["only", "just"];

/// After these, `like` is the verb.
const EN_LIKE_SUBJECTS: &[&str] = &["i", "we", "you", "they", "he", "she", "do", "does", "did"];

/// Chinese sentiment words and their values.
pub const ZH_WORDS: &[(&str, f64)] = &[
    // Praise.
    ("好", 2.0),
    ("好看", 2.0),
    ("美", 2.0),
    ("美丽", 2.0),
    ("漂亮", 2.0),
    ("优美", 2.0),
    ("美妙", 3.0),
    ("绝美", 3.0),
    ("喜欢", 2.0),
    ("喜爱", 2.0),
    ("爱", 3.0),
    ("精彩", 3.0),
    ("感动", 2.0),
    ("动人", 2.0),
    ("惊艳", 3.0),
    ("震撼", 3.0),
    ("棒", 2.0),
    ("优秀", 2.0),
    ("出色", 2.0),
    ("温暖", 2.0),
    ("宁静", 2.0),
    ("安静", 1.0),
    ("舒服", 2.0),
    ("舒适", 2.0),
    ("有趣", 2.0),
    ("有意思", 2.0),
    ("独特", 2.0),
    ("深刻", 2.0),
    ("细腻", 2.0),
    ("生动", 2.0),
    ("迷人", 3.0),
    ("壮观", 3.0),
    ("精致", 2.0),
    ("赞", 2.0),
    ("完美", 3.0),
    ("杰作", 3.0),
    ("欣赏", 2.0),
    ("享受", 2.0),
    ("不错", 2.0),
    ("满意", 2.0),
    ("开心", 2.0),
    ("高兴", 2.0),
    ("和谐", 2.0),
    ("值得", 2.0),
    ("推荐", 2.0),
    ("惊喜", 2.0),
    ("灵动", 2.0),
    ("大气", 2.0),
    ("清新", 2.0),
    ("耐看", 2.0),
    ("治愈", 2.0),
    ("厉害", 2.0),
    ("可爱", 2.0),
    ("还好", 1.0),
    // Dislike.
    ("差", -2.0),
    ("坏", -2.0),
    ("难看", -3.0),
    ("丑", -3.0),
    ("无聊", -2.0),
    ("讨厌", -3.0),
    ("失望", -2.0),
    ("糟糕", -3.0),
    ("平庸", -2.0),
    ("乏味", -2.0),
    ("粗糙", -2.0),
    ("暗", -1.0),
    ("昏暗", -1.0),
    ("暗淡", -1.0),
    ("乱", -2.0),
    ("杂乱", -2.0),
    ("混乱", -2.0),
    ("俗", -2.0),
    ("俗气", -2.0),
    ("压抑", -1.0),
    ("看不懂", -1.0),
    ("烂", -3.0),
    ("恶心", -3.0),
    ("浪费", -2.0),
    ("一般", -1.0),
    ("普通", -1.0),
    ("单调", -2.0),
    ("呆板", -2.0),
    ("刺眼", -2.0),
    ("沉闷", -2.0),
    ("难受", -2.0),
    ("可惜", -1.0),
    ("遗憾", -1.0),
    ("廉价", -2.0),
    ("做作", -2.0),
    ("空洞", -2.0),
    ("敷衍", -2.0),
    ("贵", -1.0),
    ("失败", -2.0),
    ("垃圾", -3.0),
    ("不行", -2.0),
    ("不怎么样", -2.0),
    ("没意思", -2.0),
];

/// Chinese intensifiers and diminishers.
pub const ZH_INTENSIFIERS: &[(&str, f64)] = &[
    ("很", 1.5),
    ("非常", 1.8),
    ("太", 1.6),
    ("特别", 1.7),
    ("十分", 1.7),
    ("超", 1.7),
    ("超级", 1.8),
    ("真", 1.4),
    ("真的", 1.4),
    ("极", 1.9),
    ("极其", 1.9),
    ("最", 1.8),
    ("挺", 1.3),
    ("蛮", 1.3),
    ("相当", 1.5),
    ("格外", 1.6),
    ("更", 1.3),
    ("那么", 1.3),
    ("这么", 1.3),
    ("如此", 1.5),
    ("有点", 0.6),
    ("有些", 0.6),
    ("有一点", 0.6),
    ("稍微", 0.5),
    ("略", 0.6),
    ("略微", 0.5),
    ("比较", 0.8),
];

/// Chinese negators.
pub const ZH_NEGATORS: &[&str] = &[
    "不",
    "没",
    "没有",
    "别",
    "无",
    "未",
    "并不",
    "毫不",
    "绝不",
    "从不",
    "从没",
    "并没有",
    "不是",
];

/// Chinese contrast words.
pub const ZH_CONTRAST: &[&str] = &["但", "但是", "不过", "可是", "然而", "却", "只是"];

/// Chinese words that carry no sentiment but contain a listed character.
pub const ZH_NEUTRAL: &[&str] = &[
    "美术",
    "美术馆",
    "美国",
    "美元",
    "好像",
    "好多",
    "好几",
    "只好",
    "正好",
    "刚好",
    "爱好",
    "好奇",
    "差不多",
    "差点",
    "一般来说",
    "暗示",
    "不仅",
    "不管",
    "不断",
    "不同",
    "不禁",
    "不少",
    "不得不",
    "无论",
    "未来",
    "没想到",
    "想象",
    "想象中",
    "感觉",
    "觉得",
    "作品",
    "这幅",
    "这个",
    "一点",
    "一点也",
    "最后",
    "最近",
    "真实",
    "更新",
];

/// What a word is to the analyser.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Entry {
    Sentiment(f64),
    Intensifier(f64),
    /// An intensifier before a sentiment word, a sentiment word otherwise.
    Dual {
        boost: f64,
        value: f64,
    },
    /// `like`: a sentiment word only as a verb.
    Like(f64),
    Negator,
    Contrast,
    Neutral,
}

/// A token of a comment.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    /// End of a clause.
    Break,
}

fn english() -> &'static HashMap<&'static str, Entry> {
    static TABLE: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for &(word, value) in EN_WORDS {
            table.insert(word, Entry::Sentiment(value));
        }
        for &(word, boost) in EN_INTENSIFIERS {
            table.insert(word, Entry::Intensifier(boost));
        }
        for &word in EN_NEGATORS {
            table.insert(word, Entry::Negator);
        }
        for &word in EN_CONTRAST {
            table.insert(word, Entry::Contrast);
        }
        table.insert(
            "pretty",
            Entry::Dual {
                boost: 1.2,
                value: 1.0,
            },
        );
        table.insert("like", Entry::Like(2.0));
        table.insert("likes", Entry::Like(2.0));
        table
    })
}

fn chinese() -> &'static HashMap<&'static str, Entry> {
    static TABLE: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for &word in ZH_NEUTRAL {
            table.insert(word, Entry::Neutral);
        }
        for &(word, value) in ZH_WORDS {
            table.insert(word, Entry::Sentiment(value));
        }
        for &(word, boost) in ZH_INTENSIFIERS {
            table.insert(word, Entry::Intensifier(boost));
        }
        for &word in ZH_NEGATORS {
            table.insert(word, Entry::Negator);
        }
        for &word in ZH_CONTRAST {
            table.insert(word, Entry::Contrast);
        }
        table.insert(
            "好",
            Entry::Dual {
                boost: 1.5,
                value: 2.0,
            },
        );
        table
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '\n'
            | '。'
            | '，'
            | '；'
            | '：'
            | '！'
            | '？'
            | '、'
            | '…'
    )
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Cuts a run of Chinese characters into words, longest dictionary entry first.
fn segment_chinese(run: &[char], out: &mut Vec<Token>) {
    let table = chinese();
    let mut start = 0;
    let mut candidate = String::new();
    while start < run.len() {
        let mut taken = 1;
        for len in (2..=MAX_ZH_WORD.min(run.len() - start)).rev() {
            candidate.clear();
            candidate.extend(&run[start..start + len]);
            if table.contains_key(candidate.as_str()) {
                taken = len;
                break;
            }
        }
        out.push(Token::Word(run[start..start + taken].iter().collect()));
        start += taken;
    }
}

fn tokenise(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut run: Vec<char> = Vec::new();
    let flush = |word: &mut String, run: &mut Vec<char>, tokens: &mut Vec<Token>| {
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(word)));
        }
        if !run.is_empty() {
            segment_chinese(run, tokens);
            run.clear();
        }
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                tokens.push(Token::Word(std::mem::take(&mut word)));
            }
            run.push(c);
        } else if c.is_alphanumeric() || (is_apostrophe(c) && !word.is_empty()) {
            if !run.is_empty() {
                segment_chinese(&run, &mut tokens);
                run.clear();
            }
            if is_apostrophe(c) {
                word.push('\'');
            } else {
                word.extend(c.to_lowercase());
            }
        } else {
            flush(&mut word, &mut run, &mut tokens);
            if is_clause_break(c) && tokens.last() != Some(&Token::Break) {
                tokens.push(Token::Break);
            }
        }
    }
    flush(&mut word, &mut run, &mut tokens);
    tokens
}

/// How a word reads, before context is taken into account.
fn lookup(word: &str) -> Option<Entry> {
    if word.chars().next().is_some_and(is_cjk) {
        return chinese().get(word).copied();
    }
    if word.ends_with("n't") {
        return Some(Entry::Negator);
    }
    let bare: String = word.chars().filter(|&c| c != '\'').collect();
    let table = english();
    if let Some(entry) = table.get(bare.as_str()) {
        return Some(*entry);
    }
    let singular = bare.strip_suffix('s').filter(|s| s.len() >= 3)?;
    match table.get(singular) {
        Some(Entry::Sentiment(value)) => Some(Entry::Sentiment(*value)),
        _ => None,
    }
}

/// One word that counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The word as it appeared (lowercased).
    pub word: String,
    /// Its value after intensifiers, negation and contrast weighting.
    pub value: f64,
}

/// The outcome of [`analyse`].
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// −1 (negative) to 1 (positive); 0 without sentiment words.
    pub score: f64,
    /// The weighted sum before squashing.
    pub sum: f64,
    /// The words that counted, in order.
    pub hits: Vec<Hit>,
}

/// Sentiment of a comment, −1 to 1. See the module documentation for the method.
pub fn score(text: &str) -> f64 {
    analyse(text).score
}

/// Sentiment of a comment with the words that made it.
pub fn analyse(text: &str) -> Analysis {
    let tokens = tokenise(text);
    let entries: Vec<Option<Entry>> = tokens
        .iter()
        .map(|t| match t {
            Token::Word(w) => lookup(w),
            Token::Break => None,
        })
        .collect();
    let mut sum = 0.0;
    let mut weight = 1.0;
    let mut hits: Vec<Hit> = Vec::new();
    let mut boost = 1.0;
    let mut negated = false;
    let mut scope = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        let Token::Word(word) = token else {
            boost = 1.0;
            negated = false;
            continue;
        };
        let next = entries.get(i + 1).copied().flatten();
        let leads_to_sentiment = matches!(
            next,
            Some(Entry::Sentiment(_) | Entry::Intensifier(_) | Entry::Dual { .. } | Entry::Like(_))
        );
        let previous = i.checked_sub(1).and_then(|p| match &tokens[p] {
            Token::Word(w) => Some(w.as_str()),
            Token::Break => None,
        });
        let value = match entries[i] {
            Some(Entry::Sentiment(value)) => Some(value),
            Some(Entry::Dual { value, .. }) if !leads_to_sentiment => Some(value),
            Some(Entry::Dual { boost: b, .. }) | Some(Entry::Intensifier(b)) => {
                boost = if negated { boost / b } else { boost * b };
                None
            }
            Some(Entry::Like(value)) => {
                let verb = previous.is_some_and(|p| {
                    EN_LIKE_SUBJECTS.contains(&p)
                        || matches!(lookup(p), Some(Entry::Negator | Entry::Intensifier(_)))
                });
                if verb {
                    Some(value)
                } else {
                    boost = 1.0;
                    None
                }
            }
            Some(Entry::Negator) => {
                let cancelled = match tokens.get(i + 1) {
                    Some(Token::Word(w)) => EN_NOT_NEGATION.contains(&w.as_str()),
                    _ => false,
                };
                if !cancelled {
                    negated = !negated;
                    scope = NEGATION_SCOPE;
                }
                boost = 1.0;
                None
            }
            Some(Entry::Contrast) => {
                sum *= BEFORE_CONTRAST;
                for hit in &mut hits {
                    hit.value *= BEFORE_CONTRAST;
                }
                weight = AFTER_CONTRAST;
                boost = 1.0;
                negated = false;
                None
            }
            Some(Entry::Neutral) | None => {
                boost = 1.0;
                if negated {
                    scope = scope.saturating_sub(1);
                    negated = scope > 0;
                }
                None
            }
        };
        if let Some(value) = value {
            let mut v = value * boost;
            if negated {
                v *= NEGATION_FACTOR;
            }
            v *= weight;
            sum += v;
            hits.push(Hit {
                word: word.clone(),
                value: v,
            });
            boost = 1.0;
            negated = false;
        }
    }
    let score = if hits.is_empty() {
        0.0
    } else {
        sum / (sum * sum + SQUASH).sqrt()
    };
    Analysis { score, sum, hits }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-labelled: 1 positive, −1 negative, 0 no sentiment.
    const ENGLISH: &[(&str, i8)] = &[
        ("Absolutely stunning, I could look at it for hours.", 1),
        ("What a beautiful use of light.", 1),
        ("I love the colours in this one!", 1),
        ("Not bad at all, actually quite moving.", 1),
        ("The brushwork is delicate and the mood is serene.", 1),
        ("This isn't boring in the slightest.", 1),
        ("A quiet masterpiece.", 1),
        ("Really enjoyed standing in front of this.", 1),
        (
            "The composition is a bit busy, but the colours are gorgeous.",
            1,
        ),
        ("Wonderful!", 1),
        ("I really like how the water glows.", 1),
        ("Honestly pretty boring.", -1),
        ("The print looks cheap and the frame is ugly.", -1),
        ("I don't like it.", -1),
        ("Not good, the colours are muddy.", -1),
        ("Disappointing after all the hype.", -1),
        ("The sculpture feels lifeless and clumsy.", -1),
        ("Far too dim and muddy.", -1),
        (
            "It's beautiful, but honestly the whole thing feels pretentious.",
            -1,
        ),
        ("What a waste of a wall.", -1),
        ("Not very interesting.", -1),
        ("It is a photograph of a lake.", 0),
        ("Where is the exit?", 0),
        ("Painted in 1998 on linen.", 0),
        ("Looks like a map of the city.", 0),
    ];

    const CHINESE: &[(&str, i8)] = &[
        ("太美了！", 1),
        ("非常喜欢这幅画的颜色。", 1),
        ("不错，值得一看。", 1),
        ("光线处理得很细腻。", 1),
        ("看完很感动。", 1),
        ("一点也不无聊。", 1),
        ("构图有点乱，但是色彩很惊艳。", 1),
        ("这是我最喜欢的作品。", 1),
        ("好美啊", 1),
        ("安静又温暖。", 1),
        ("不是不好看。", 1),
        ("很好看，不过有点暗", 1),
        ("太暗了，看不清楚。", -1),
        ("很无聊。", -1),
        ("不好看。", -1),
        ("颜色俗气，做工粗糙。", -1),
        ("有点失望。", -1),
        ("没有想象中那么好。", -1),
        ("画面很美，可是整体太压抑了。", -1),
        ("不喜欢。", -1),
        ("真难看", -1),
        ("一般般吧", -1),
        ("不太好", -1),
        ("这是一幅油画。", 0),
        ("美术馆几点关门？", 0),
        ("差不多看完了。", 0),
        ("好像是一片湖。", 0),
    ];

    fn check(labelled: &[(&str, i8)]) {
        let mut wrong = Vec::new();
        for &(text, label) in labelled {
            let a = analyse(text);
            let got = if a.score > 0.05 {
                1
            } else if a.score < -0.05 {
                -1
            } else {
                0
            };
            if got != label {
                wrong.push(format!("{text:?}: expected {label}, got {a:?}"));
            }
            assert!((-1.0..=1.0).contains(&a.score));
        }
        assert!(wrong.is_empty(), "misread:\n{}", wrong.join("\n"));
    }

    #[test]
    fn hand_labelled_english_sentences() {
        assert!(ENGLISH.len() >= 20);
        check(ENGLISH);
    }

    #[test]
    fn hand_labelled_chinese_sentences() {
        assert!(CHINESE.len() >= 20);
        check(CHINESE);
    }

    #[test]
    fn negation_flips_and_softens() {
        let good = score("good");
        let not_good = score("not good");
        let bad = score("bad");
        assert!(good > 0.0 && not_good < 0.0);
        // "not good" is less negative than "bad".
        assert!(not_good > bad);
        assert!(score("not bad") > 0.0);
        assert!(score("不好") < 0.0 && score("不坏") > 0.0);
        // Scope ends at a clause break.
        assert!(score("no. good") > 0.0);
        // "not only" is no negation.
        assert!(score("not only beautiful") > 0.0);
        // Two negations cancel.
        assert!(score("不是不喜欢") > 0.0);
    }

    #[test]
    fn intensifiers_scale_and_weaken_under_negation() {
        assert!(score("very good") > score("good"));
        assert!(score("slightly dull") > score("dull"));
        assert!(score("非常美") > score("美"));
        assert!(score("有点暗") > score("暗"));
        // "not very good" is milder than "not good".
        assert!(score("not very good") > score("not good"));
        assert!(score("not very good") < 0.0);
        // A word in between cancels the boost.
        let a = analyse("very old good");
        assert_eq!(a.hits.len(), 1);
        assert_eq!(a.hits[0].value, 2.0);
    }

    #[test]
    fn worked_values_and_squashing() {
        let a = analyse("very good");
        assert_eq!(a.sum, 3.0);
        assert!((a.score - 3.0 / 13f64.sqrt()).abs() < 1e-12);
        let b = analyse("good, but dull");
        // 2·0.5 + (−2)·1.5 = −2.
        assert!((b.sum + 2.0).abs() < 1e-12);
        assert_eq!(
            b.hits,
            vec![
                Hit {
                    word: "good".into(),
                    value: 1.0
                },
                Hit {
                    word: "dull".into(),
                    value: -3.0
                },
            ]
        );
        assert_eq!(analyse("").score, 0.0);
        assert_eq!(analyse("   ...  ").hits, vec![]);
    }

    #[test]
    fn tokens_and_mixed_languages() {
        assert_eq!(
            tokenise("Don’t 美术馆很好看!"),
            vec![
                Token::Word("don't".into()),
                Token::Word("美术馆".into()),
                Token::Word("很".into()),
                Token::Word("好看".into()),
                Token::Break,
            ]
        );
        assert!(score("Lovely 很美") > score("Lovely"));
        assert!(score("masterpieces everywhere") > 0.0);
        assert_eq!(score("looks like rain"), 0.0);
    }
}

//! A small SVG writer: the handful of elements the charts need, with XML
//! escaping and compact number formatting. Output is well-formed XML (a test
//! parses every chart) and carries a `<title>` and `<desc>` for screen readers.

use std::fmt::Write;

/// Escapes text for XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal, without a trailing `.0`.
pub fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        return "0".to_owned();
    }
    if r == r.trunc() {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Roughly how wide `s` is at `size` px in a sans-serif font (for layout).
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| {
            if c.is_ascii_uppercase() || c.is_ascii_digit() {
                0.64
            } else {
                0.54
            }
        })
        .sum::<f64>()
        * size
}

/// Horizontal anchoring of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The text starts at x.
    Start,
    /// The text is centred on x.
    Middle,
    /// The text ends at x.
    End,
}

/// An SVG document being written.
#[derive(Debug)]
pub struct Svg {
    buf: String,
}

/// The font stack every chart uses: the reader's own sans-serif, no web fonts.
pub const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

impl Svg {
    /// Starts a chart of `width` × `height` user units with an accessible
    /// title and description.
    pub fn new(width: f64, height: f64, title: &str, desc: &str) -> Self {
        let mut buf = String::new();
        let _ = write!(
            buf,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
             role=\"img\" font-family=\"{font}\" font-size=\"11\" fill=\"#222\">\
             <title>{t}</title><desc>{d}</desc>\
             <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>",
            w = n(width),
            h = n(height),
            font = esc(FONT),
            t = esc(title),
            d = esc(desc)
        );
        Svg { buf }
    }

    /// A straight line; `dash` is an SVG dash array such as `"4 3"`.
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, width: f64, dash: Option<&str>) {
        let _ = write!(
            self.buf,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"{}/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            n(width),
            dash_attr(dash)
        );
    }

    /// A rectangle, with an optional outline and tooltip.
    #[allow(clippy::too_many_arguments)]
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, stroke: Option<&str>, tip: Option<&str>) {
        let _ = write!(
            self.buf,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{}",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0)),
            stroke.map_or_else(String::new, |s| format!(" stroke=\"{s}\" stroke-width=\"1\""))
        );
        self.close_with_tip("rect", tip);
    }

    /// A circle; `fill` may be `"none"`.
    #[allow(clippy::too_many_arguments)]
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: &str, stroke: &str, width: f64, tip: Option<&str>) {
        let _ = write!(
            self.buf,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{}\"",
            n(cx),
            n(cy),
            n(r),
            n(width)
        );
        self.close_with_tip("circle", tip);
    }

    /// A path through `points` (a polyline), unfilled.
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, width: f64, dash: Option<&str>, tip: Option<&str>) {
        if points.is_empty() {
            return;
        }
        let mut d = String::new();
        for (k, (x, y)) in points.iter().enumerate() {
            let _ = write!(d, "{}{},{}", if k == 0 { "M" } else { " L" }, n(*x), n(*y));
        }
        self.path(&d, "none", stroke, width, dash, tip);
    }

    /// A path with SVG path data `d`.
    pub fn path(&mut self, d: &str, fill: &str, stroke: &str, width: f64, dash: Option<&str>, tip: Option<&str>) {
        let _ = write!(
            self.buf,
            "<path d=\"{d}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{}\" stroke-linejoin=\"round\"{}",
            n(width),
            dash_attr(dash)
        );
        self.close_with_tip("path", tip);
    }

    /// A text at (x, y) (y is the baseline).
    pub fn text(&mut self, x: f64, y: f64, s: &str, style: TextStyle) {
        let anchor = match style.anchor {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        };
        let _ = write!(
            self.buf,
            "<text x=\"{}\" y=\"{}\"{anchor}{}{}{}{}>{}</text>",
            n(x),
            n(y),
            if style.halo {
                " stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\""
            } else {
                ""
            },
            if style.size == 11.0 {
                String::new()
            } else {
                format!(" font-size=\"{}\"", n(style.size))
            },
            if style.bold { " font-weight=\"bold\"" } else { "" },
            if style.fill == "#222" {
                String::new()
            } else {
                format!(" fill=\"{}\"", style.fill)
            },
            esc(s)
        );
    }

    /// A text rotated by `degrees` (negative: counter-clockwise) around its anchor.
    pub fn text_rotated(&mut self, x: f64, y: f64, degrees: f64, s: &str, style: TextStyle) {
        let _ = write!(self.buf, "<g transform=\"rotate({} {} {})\">", n(degrees), n(x), n(y));
        self.text(x, y, s, style);
        self.buf.push_str("</g>");
    }

    /// Opens a group with a tooltip (`<title>`) for everything inside, drawn
    /// at `opacity` (1 = opaque).
    pub fn open_group(&mut self, tip: Option<&str>, opacity: f64) {
        if opacity < 1.0 {
            let _ = write!(self.buf, "<g opacity=\"{opacity:.2}\">");
        } else {
            self.buf.push_str("<g>");
        }
        if let Some(t) = tip {
            let _ = write!(self.buf, "<title>{}</title>", esc(t));
        }
    }

    /// Closes the last group opened.
    pub fn close_group(&mut self) {
        self.buf.push_str("</g>");
    }

    /// Ends the document.
    pub fn finish(mut self) -> String {
        self.buf.push_str("</svg>");
        self.buf
    }

    fn close_with_tip(&mut self, element: &str, tip: Option<&str>) {
        match tip {
            None => self.buf.push_str("/>"),
            Some(t) => {
                let _ = write!(self.buf, "><title>{}</title></{element}>", esc(t));
            }
        }
    }
}

fn dash_attr(dash: Option<&str>) -> String {
    dash.map_or_else(String::new, |d| format!(" stroke-dasharray=\"{d}\""))
}

/// How a text is drawn.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    /// Font size in px.
    pub size: f64,
    /// Anchoring.
    pub anchor: Anchor,
    /// Bold or not.
    pub bold: bool,
    /// Colour.
    pub fill: &'static str,
    /// A white outline that keeps the text legible over lines.
    pub halo: bool,
}

impl TextStyle {
    /// 11 px, dark, left-anchored.
    pub const PLAIN: TextStyle = TextStyle {
        size: 11.0,
        anchor: Anchor::Start,
        bold: false,
        fill: "#222",
        halo: false,
    };

    /// The same style at another size.
    pub const fn size(self, size: f64) -> Self {
        TextStyle { size, ..self }
    }

    /// The same style with another anchor.
    pub const fn anchor(self, anchor: Anchor) -> Self {
        TextStyle { anchor, ..self }
    }

    /// The same style in bold.
    pub const fn bold(self) -> Self {
        TextStyle { bold: true, ..self }
    }

    /// The same style with a white outline.
    pub const fn halo(self) -> Self {
        TextStyle { halo: true, ..self }
    }

    /// The same style in another colour.
    pub const fn fill(self, fill: &'static str) -> Self {
        TextStyle { fill, ..self }
    }
}

/// Breaks `s` into lines of at most about `width` characters, at spaces.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_compact() {
        assert_eq!(n(3.0), "3");
        assert_eq!(n(3.04), "3");
        assert_eq!(n(3.25), "3.3");
        assert_eq!(n(-0.04), "0");
        assert_eq!(n(-2.0), "-2");
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(wrap("aa bb cc dd", 5), vec!["aa bb", "cc dd"]);
        assert_eq!(wrap("", 5), Vec::<String>::new());
    }
}

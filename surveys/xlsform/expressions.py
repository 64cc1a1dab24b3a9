"""The XPath of `relevant` and `constraint` that Sapat can represent.

    conditions(expr, targets, notes=None) -> [condition dict]   a `relevant` -> show_if (all hold)
    bounds(expr, subject, self_name, integer) -> (min, max)      a `constraint` -> a range
    canonical(conditions) -> sorted tuples                       conditions compared as Sapat does

Parser reads a subset of XPath (or / and / not() / comparisons / calls); anything outside the
forms documented in surveys/xlsform/__init__.py raises Refused with the reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional, Union

from surveys.conditions import normalize
from surveys.xlsform.errors import N_, Refused

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[^}]*?)\s*\})
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<comma>,)
  | (?P<word>[A-Za-z_][A-Za-z0-9_:-]*)
  | (?P<dot>\.)
  | (?P<minus>-)
""", re.X)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            char = text[pos]
            if char in "‘’“”«»":
                raise Refused(N_("cannot read %(char)s at position %(position)s (typographic quotes are not XPath "
                                 "quotes: use ' or \")", char=repr(char), position=pos + 1))
            raise Refused(N_("cannot read %(char)s at position %(position)s", char=repr(char), position=pos + 1))
        kind = match.lastgroup
        if kind == "refname":
            kind = "ref"
        if kind != "ws":
            value = match.group("refname") if kind == "ref" else match.group(kind)
            out.append((kind, value))
        pos = match.end()
    return out


class Parser:
    """XPath subset: or / and / not() / comparisons / calls. Nodes are tuples:
    ('or'|'and', [nodes]), ('cmp', op, a, b), ('ref', name), ('dot',), ('str', s), ('num', s),
    ('call', name, [args])."""

    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def parse(self):
        if not self.toks:
            raise Refused(N_("empty expression"))
        node = self.expr()
        if self.i != len(self.toks):
            raise Refused(N_("unexpected %(token)s", token=repr(self.toks[self.i][1])))
        return node

    def peek(self, kind=None, value=None):
        if self.i >= len(self.toks):
            return None
        tok = self.toks[self.i]
        if (kind and tok[0] != kind) or (value and tok[1].lower() != value):
            return None
        return tok

    def take(self, kind=None, value=None):
        tok = self.peek(kind, value)
        if tok is None:
            if self.i >= len(self.toks):
                raise Refused(N_("expected %(expected)s, found 'the end'", expected=value or kind))
            raise Refused(N_("expected %(expected)s, found %(found)s", expected=value or kind,
                             found=repr(self.toks[self.i][1])))
        self.i += 1
        return tok

    def expr(self):
        parts = [self.conj()]
        while self.peek("word", "or"):
            self.i += 1
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conj(self):
        parts = [self.comparison()]
        while self.peek("word", "and"):
            self.i += 1
            parts.append(self.comparison())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def comparison(self):
        left = self.operand()
        if self.peek("op"):
            op = self.take("op")[1]
            return ("cmp", op, left, self.operand())
        return left

    def operand(self):
        tok = self.peek()
        if tok is None:
            raise Refused(N_("the expression ends too early"))
        kind, value = tok
        if kind == "lp":
            self.i += 1
            node = self.expr()
            self.take("rp")
            return node
        if kind == "minus":
            self.i += 1
            return ("num", "-" + self.take("num")[1])
        if kind in ("ref", "str", "num"):
            self.i += 1
            return (kind, value[1:-1] if kind == "str" else value)
        if kind == "dot":
            self.i += 1
            return ("dot",)
        if kind == "word" and self.i + 1 < len(self.toks) and self.toks[self.i + 1][0] == "lp":
            self.i += 2
            args = []
            if not self.peek("rp"):
                args.append(self.expr())
                while self.peek("comma"):
                    self.i += 1
                    args.append(self.expr())
            self.take("rp")
            return ("call", value.lower(), args)
        raise Refused(N_("unexpected %(token)s", token=repr(value)))


def number(text: str) -> Union[int, float]:
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _literal(node) -> Optional[Union[str, int, float]]:
    if node[0] == "str":
        return node[1]
    if node[0] == "num":
        return number(node[1])
    return None


@dataclass
class Target:
    """What a ${name} in a condition refers to."""
    key: str                                # Sapat answer key ('item' or 'matrix.row')
    multi: bool = False
    points: Optional[dict[str, int]] = None  # option name -> point, for a scale of named options
    names: Optional[set[str]] = None         # the option names, to report values that are none


NOT_AN_EARLIER_QUESTION = "${%(name)s} is not an earlier question of the form"


def conditions(expr: str, targets: dict[str, Target], notes: Optional[list] = None) -> list[dict]:
    """A `relevant` expression -> Sapat conditions (all must hold); Refused when it cannot be.

    Values keep their XPath type ('3' -> "3", 3 -> 3); the options of a scale of named options
    (agree, ...) become its points. A value that is no option of the list is kept and reported in
    `notes` (such a condition never holds)."""
    node = Parser(expr).parse()
    factors = node[1] if node[0] == "and" else [node]
    atoms = [_atom(f) for f in factors]
    answered = {a[1] for a in atoms if a[0] == "answered"}
    negated = {a[1] for a in atoms if a[0] == "not"}
    lonely = answered - negated
    if lonely:
        raise Refused(N_("'${%(name)s} != \"\"' alone: Sapat cannot show an item just because a question is "
                         "answered", name=sorted(lonely)[0]))
    out = []
    for atom in atoms:
        if atom[0] == "answered":
            continue
        op, name, values, via = atom
        target = targets.get(name)
        if target is None:
            raise Refused(N_(NOT_AN_EARLIER_QUESTION, name=name))
        if target.multi and via == "=":
            raise Refused(N_("'=' compares the whole answer of the select_multiple ${%(name)s}; write "
                             "selected(${%(name)s}, 'value')", name=name))
        mapped = []
        for value in values:
            if target.points is not None and str(value) in target.points:
                value = target.points[str(value)]
            elif target.names is not None and str(value) not in target.names and notes is not None:
                notes.append(N_("'%(value)s' is not an option of ${%(name)s}: the condition never holds",
                                value=value, name=name))
            mapped.append(value)
        if op == "in":
            out.append({"item": target.key, "in": mapped})
        elif op == "not":
            out.append({"item": target.key, "not": mapped[0]})
        else:
            out.append({"item": target.key, "equals": mapped[0]})
    return out


def _ref_literal(node) -> Optional[tuple[str, Any]]:
    """('cmp' sides) -> (name, literal) for ${x} <op> 'v' or 'v' <op> ${x}."""
    _cmp, _op, a, b = node
    if a[0] == "ref" and _literal(b) is not None:
        return a[1], _literal(b)
    if b[0] == "ref" and _literal(a) is not None:
        return b[1], _literal(a)
    return None


def _atom(node) -> tuple:
    """One factor of an `and`: ('eq'|'not'|'in', name, [values], via) or ('answered', name)."""
    if node[0] == "cmp" and node[1] in ("=", "!="):
        pair = _ref_literal(node)
        if pair:
            name, value = pair
            if node[1] == "!=":
                return ("answered", name) if value == "" else ("not", name, [value], "!=")
            if value == "":
                raise Refused(N_("${%(name)s} = '' (unanswered) cannot be expressed in Sapat", name=name))
            return ("eq", name, [value], "=")
    if node[0] == "cmp" and node[1] == ">" and node[2][0] == "call" and node[2][1] == "count-selected" \
            and node[3] == ("num", "0") and len(node[2][2]) == 1 and node[2][2][0][0] == "ref":
        return ("answered", node[2][2][0][1])
    if node[0] == "call" and node[1] == "selected" and len(node[2]) == 2 and node[2][0][0] == "ref" \
            and _literal(node[2][1]) is not None:
        return ("eq", node[2][0][1], [_literal(node[2][1])], "selected")
    if node[0] == "call" and node[1] == "not" and len(node[2]) == 1:
        inner = node[2][0]
        if inner[0] == "call" and inner[1] == "selected":
            eq = _atom(inner)
            return ("not", eq[1], eq[2], "selected")
        if inner[0] == "cmp" and inner[1] == "=":
            eq = _atom(inner)
            return ("not", eq[1], eq[2], "!=")
    if node[0] == "or":
        branches = [_atom(b) for b in node[1]]
        names = {b[1] for b in branches}
        if all(b[0] == "eq" for b in branches) and len(names) == 1:
            vias = {b[3] for b in branches}
            return ("in", names.pop(), [b[2][0] for b in branches], "=" if "=" in vias else "selected")
        raise Refused(N_("'or' is supported only between equalities on one question (it becomes 'in')"))
    raise Refused(N_("only ${x} = 'v', ${x} != 'v', selected(${x}, 'v'), not(...) of these, and 'and' / 'or' "
                     "of them are supported"))


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}


def bounds(expr: str, subject: str, self_name: str, integer: bool) -> tuple[Optional[float], Optional[float]]:
    """`. >= a and . <= b` (subject '.'), `string-length(.) <= n`, `count-selected(.) >= a` -> (min, max)."""
    node = Parser(expr).parse()
    factors = node[1] if node[0] == "and" else [node]
    lo = hi = None

    def is_subject(n) -> bool:
        if subject == ".":
            return n == ("dot",) or n == ("ref", self_name)
        return n[0] == "call" and n[1] == subject and len(n[2]) == 1 and n[2][0] in (("dot",), ("ref", self_name))

    for f in factors:
        if f[0] != "cmp" or f[1] == "!=":
            raise Refused(N_("only a range (. >= a and . <= b) is supported"))
        _c, op, a, b = f
        if is_subject(a) and b[0] == "num":
            value = number(b[1])
        elif is_subject(b) and a[0] == "num":
            value, op = number(a[1]), _FLIP[op]
        else:
            raise Refused(N_("only a range of the answer against numbers (. >= a and . <= b) is supported"))
        if op in ("<", ">"):
            if not integer or value != int(value):
                raise Refused(N_("the strict bound '%(bound)s' is not a range Sapat can store; use <= or >=",
                                 bound=f"{op} {value}"))
            value, op = (value + 1, ">=") if op == ">" else (value - 1, "<=")
        if op in (">=", "="):
            if lo is not None:
                raise Refused(N_("two lower bounds"))
            lo = float(value)
        if op in ("<=", "="):
            if hi is not None:
                raise Refused(N_("two upper bounds"))
            hi = float(value)
    return lo, hi


def canonical(conditions: list) -> list:
    """Conditions compared as Sapat compares answers (normalized values), for sapat::show_if."""
    out = []
    for c in conditions:
        c = dict(c)
        for op in ("equals", "not"):
            if op in c:
                out.append((c["item"], op, normalize(c[op])))
        if "in" in c and len(c["in"]) == 1:  # in: [v] holds exactly when equals: v does
            out.append((c["item"], "equals", normalize(c["in"][0])))
        elif "in" in c:
            out.append((c["item"], "in", tuple(sorted(normalize(v) for v in c["in"]))))
    return sorted(out)

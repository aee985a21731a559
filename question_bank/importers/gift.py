"""Import GIFT files (Moodle's plain-text question format), read the way Moodle's qformat_gift reads them.

- The file must be UTF-8 (a byte-order mark is allowed); otherwise the whole file is refused with one problem at
  the line of the first bad byte.
- Questions are separated by blank lines. Lines starting with ``//`` are comments; a comment may carry Moodle's
  ``[id:...]`` (the item id) and ``[tag:...]`` (Merit's ``merit:NAME=VALUE`` metadata, as in Moodle XML).
- ``$CATEGORY: $course$/A/B`` sets the topic of the questions that follow (see
  `question_bank.importers.moodle_xml.category_topic`); before any category the act is ``uncategorized``.
- ``::title::`` is the item's name; ``[html]``, ``[moodle]``, ``[plain]`` and ``[markdown]`` set the format of the
  question text and of each answer (answers default to the question's format); ``\\=``, ``\\~``, ``\\#``,
  ``\\{``, ``\\}``, ``\\:``, ``\\n`` and ``\\\\`` are escapes; ``#feedback`` and ``####general feedback`` are read
  and dropped.
- The answers are the first ``{...}``. Text after it makes a missing-word question (the blank is shown as
  ``_____``), except stray punctuation with no letter or digit after a question text that already ends a sentence
  (such as ``";`` after ``...everything.{...}``), which is ignored. A second ``{...}`` in the same block is a
  problem (questions need a blank line between them).
- Types, decided as Moodle decides them: ``{=right ~wrong}`` -> single choice (exactly one answer worth 100%);
  ``{~%50%a ~%50%b ~%-100%c}`` (no ``=``) -> multiple response (positive weights add up to 100);
  ``{T}``/``{TRUE}``/``{F}``/``{FALSE}`` -> true/false. Essay ``{}``, numerical ``{#...}``, matching
  (``=a -> b``), short answer and description (no braces) are not supported: refused, or skipped on request.
  Weights must be grades Moodle allows.

Ids: ``[id:...]`` when given, else ``stable_id("gift", title, questiontext)`` (``-2``, ``-3``, ... when the same
title and text repeat in the file). Problems are reported at the line where the question starts.
"""

from __future__ import annotations

import re

from question_bank.importers.common import ImportResult, Problem, plain_text, read_text, stable_id, unsupported
from question_bank.importers.moodle_xml import (
    SUM_TOLERANCE,
    SUPPORTED_NOTE,
    UNCATEGORIZED,
    IdRegistry,
    Metadata,
    build_item,
    category_topic,
    format_number,
    localized,
    match_grade,
    option_keys,
    other_languages,
    question_label,
    read_metadata,
    true_false_options,
)
from question_bank.items import Item, ItemError, ItemType, Option, Source, Topic

NOT_UTF8 = "the file is not UTF-8 (GIFT files must be UTF-8)"
FORMATS = {"moodle": "moodle_auto_format", "html": "html", "plain": "plain_text", "markdown": "markdown"}
TRUE_FALSE = {"T": "true", "TRUE": "true", "F": "false", "FALSE": "false"}
BLANK = "_____"

_PHP_SPACE = " \t\n\r\0\x0b"  # what PHP's trim() removes
_ESCAPE = re.compile(r"\\(\\|[:#={}~n])")
_PLACEHOLDER = {ch: chr(0xE000 + ord(ch)) for ch in ":#={}~n"}
_RESTORE = {placeholder: ("\n" if ch == "n" else ch) for ch, placeholder in _PLACEHOLDER.items()}
_WEIGHT = re.compile(r"%(-?[0-9]+(?:\.[0-9]+)?)%")
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")
_SENTENCE_END = ".?!:;…"


def _escape_pre(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\\" if m.group(1) == "\\" else _PLACEHOLDER[m.group(1)], text)


def _escape_post(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def _with_format(text: str, default: str) -> tuple[str, str]:
    """'[html]text' -> ('text', 'html'); unknown or no tag -> the default format. Escapes are undone."""
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end] if end > 0 else ""
        if name in FORMATS:
            return _escape_post(text[end + 1:]).strip(_PHP_SPACE), FORMATS[name]
    return _escape_post(text).strip(_PHP_SPACE), default


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Blank-line separated blocks of (line number, trimmed line)."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(_PHP_SPACE)
        if line:
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def import_gift(path: str, data: bytes, *, skip_unsupported: bool = False) -> ImportResult:
    result = ImportResult()
    text = read_text(path, data, result, NOT_UTF8)
    if text is None:
        return result
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = _Reader(path, result, skip_unsupported)
    for block in _blocks(text):
        reader.read(block)
    return result


class _Reader:
    def __init__(self, path: str, result: ImportResult, skip_unsupported: bool):
        self.path, self.result, self.skip_unsupported = path, result, skip_unsupported
        self.topic = Topic(UNCATEGORIZED)
        self.ids = IdRegistry()

    def read(self, block: list[tuple[int, str]]) -> None:
        comments = "\n".join(line for _, line in block if line.startswith("//"))
        content = [(number, line) for number, line in block if not line.startswith("//")]
        if not content:
            return
        line_number = content[0][0]
        text = "\n".join(" " if line.startswith("//") else line for _, line in block).strip(_PHP_SPACE)
        text = _escape_pre(text)
        if text.startswith("$CATEGORY:"):
            self.topic = category_topic(_escape_post(text[len("$CATEGORY:"):]))
            return
        question = _Question(self, line_number)
        item = question.read(text, comments)
        if item is not None:
            self.result.items.append(item)


class _Question:
    def __init__(self, reader: _Reader, line: int):
        self.reader, self.line = reader, line
        self.path, self.result = reader.path, reader.result
        self.label = question_label(None)
        self.failed = False

    def problem(self, reason: str) -> None:
        self.result.problems.append(Problem(self.path, self.line, f"{self.label}: {reason}"))
        self.failed = True

    def read(self, text: str, comments: str) -> Item | None:
        name = None
        if text.startswith("::"):
            text = text[2:]
            end = text.find("::")
            if end >= 0:
                name = plain_text(_escape_post(text[:end])) or None
                text = text[end + 2:].strip(_PHP_SPACE)
        self.label = question_label(name)

        start, finish = text.find("{"), text.find("}")
        if start < 0 and finish < 0:
            return self.unsupported("description")
        if start < 0:
            return self.problem('a "}" without an opening "{" (write \\} for a literal brace)')
        if finish < 0:
            return self.problem('the answers have no closing "}"')
        if finish < start:
            return self.problem('a "}" comes before the answers\' "{" (write \\} for a literal brace)')
        answers = text[start + 1:finish].strip(_PHP_SPACE)
        before, after = text[:start], text[finish + 1:]
        if "{" in answers:
            return self.problem('an unescaped "{" inside the answers (write \\{ for a literal brace)')
        if "{" in after or "}" in after:
            return self.problem('more text with braces after the answers: separate questions with a blank line')
        if not after.strip(_PHP_SPACE):
            question_text = before
        elif not any(ch.isalnum() for ch in after) and (
                not before.strip(_PHP_SPACE) or before.rstrip(_PHP_SPACE)[-1] in _SENTENCE_END):
            question_text = before  # stray punctuation after a complete question, e.g. `";`
        else:
            question_text = before + BLANK + after
        feedback_at = answers.rfind("####")
        if feedback_at >= 0:
            answers = answers[:feedback_at].strip(_PHP_SPACE)
        stem_markup, stem_format = _with_format(question_text.strip(_PHP_SPACE), FORMATS["moodle"])

        if answers == "":
            return self.unsupported("essay")
        if answers.startswith("#"):
            return self.unsupported("numerical")
        if "~" in answers:
            kind = "multichoice"
        elif "=" in answers and "->" in answers:
            return self.unsupported("matching")
        else:
            check = answers.split("#", 1)[0].strip(_PHP_SPACE) if answers.find("#") > 0 else answers
            if check not in TRUE_FALSE:
                return self.unsupported("shortanswer")
            kind = "truefalse"

        tags = [(match.group(1).replace("\\]", "]").strip(), self.line) for match in _TAG.finditer(comments)]
        metadata = read_metadata(tags, lambda _line, reason: self.problem(reason))
        stem = localized(stem_markup, stem_format, None)
        if not stem:
            others = other_languages(stem_markup)
            self.problem(f"the question text has no kk, ru or en text (multilang languages: {', '.join(others)})"
                         if others else "the question text is empty")
        languages = list(stem)

        declared = metadata.get("type") if metadata else None
        if kind == "truefalse":
            item_type = ItemType.TRUE_FALSE
            if declared not in (None, ItemType.TRUE_FALSE):
                self.problem(f"tag merit:type={declared.value} does not fit a true/false question")
            if metadata and "keys" in metadata.values:
                self.problem("tag merit:keys does not apply to a true/false question")
            options = true_false_options(languages, labels=metadata.get("labels") if metadata else None)
            key = {TRUE_FALSE[check]}
        else:
            if metadata and "labels" in metadata.values:
                self.problem("tag merit:labels applies only to a true/false question")
            item_type, options, key = self.multichoice(answers, stem_format, languages, declared, metadata)
        if metadata is None or self.failed:
            return None

        explicit = _ID.search(comments)
        chosen = metadata.get("id") or (explicit.group(1).replace("\\]", "]").strip() if explicit else "")
        if chosen:
            message = self.reader.ids.explicit(chosen, self.line)
            if message:
                return self.problem(message)
            item_id = chosen
        else:
            item_id = self.reader.ids.generated(stable_id("gift", name or "", stem_markup), self.line)
        try:
            return build_item(item_id=item_id, item_type=item_type, stem=stem, options=options, key=key,
                              topic=self.reader.topic, metadata=metadata, source=Source(self.path, self.line),
                              name=name)
        except ItemError as exc:
            return self.problem(str(exc))

    def unsupported(self, kind: str) -> None:
        unsupported(self.result, self.path, self.line,
                    f"{self.label}: type {kind} is not supported {SUPPORTED_NOTE}", self.reader.skip_unsupported)
        return None

    def multichoice(self, answers: str, default_format: str, languages: list[str], declared: ItemType | None,
                    metadata: Metadata | None) -> tuple[ItemType, tuple[Option, ...], set[str]]:
        single = "=" in answers
        parts = answers.replace("=", "~=").split("~")
        parts[0] = parts[0].strip(_PHP_SPACE)
        if not parts[0]:
            parts.pop(0)
        weights: list[float] = []
        texts: list[dict[str, str]] = []
        for number, part in enumerate(parts, 1):
            answer = part.strip(_PHP_SPACE)
            weight, written = 0.0, "0"
            if answer.startswith("="):
                weight, written, answer = 100.0, "100", answer[1:]
            if answer.startswith("%"):
                match = _WEIGHT.match(answer)
                if match is None:
                    self.problem(f'answer {number} has a malformed weight (expected %NUMBER%): '
                                 f'"{_escape_post(answer.split("#", 1)[0].strip())}"')
                    continue
                weight, written, answer = float(match.group(1)), match.group(1), answer[match.end():]
            grade = match_grade(weight)
            if grade is None:
                self.problem(f'answer {number} has weight "{written}%", which is not one of the grades Moodle allows')
                continue
            markup, text_format = _with_format(answer.split("#", 1)[0].strip(_PHP_SPACE), default_format)
            localized_text = localized(markup, text_format, languages)
            if languages and not localized_text:
                self.problem(f"answer {number} has no text")
            weights.append(grade)
            texts.append(localized_text)
        if len(parts) < 2:
            self.problem(f"at least 2 answers are needed, found {len(parts)}")
        item_type = ItemType.SINGLE if single else ItemType.MULTIPLE
        if declared not in (None, item_type):
            self.problem(f"tag merit:type={declared.value} does not fit the answers "
                         f"({'single choice' if single else 'multiple response'})")
        keys = (metadata.get("keys") if metadata else None) or option_keys(len(texts))
        if len(keys) != len(texts):
            self.problem(f"tag merit:keys names {len(keys)} options but the question has {len(texts)} answers")
            return item_type, (), set()
        options = tuple(Option(k, text) for k, text in zip(keys, texts))
        if self.failed:
            return item_type, options, set()
        if item_type is ItemType.SINGLE:
            correct = [k for k, weight in zip(keys, weights) if weight == 100.0]
            if len(correct) != 1:
                self.problem(f"a single-choice question needs exactly one answer worth 100%, found {len(correct)}")
            return item_type, options, set(correct)
        positive = [(k, weight) for k, weight in zip(keys, weights) if weight > 0]
        total = sum(weight for _, weight in positive)
        if abs(total - 100.0) > SUM_TOLERANCE:
            self.problem("the positive weights of a multiple-response question must add up to 100%, "
                         f"they add up to {format_number(total)}%")
        return item_type, options, {k for k, _ in positive}

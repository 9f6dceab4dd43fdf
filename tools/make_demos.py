"""Build the demonstration pages that `make demo` serves, from the lesson notebooks themselves.

    python tools/make_demos.py                 # writes build/demo/
    python tools/make_demos.py --out DIR

A demonstration page is made of cells of one lesson notebook, read when the
page is built, never copied by hand: so a demo cannot drift from its lesson.
SPECS below names, per lesson, the cells a teacher shows, each by an anchor (a
piece of text that its source contains):

    text(anchor)   a markdown cell that frames a demonstration, kept as it is
    show(anchor)   a code cell whose output the class sees (a widget, a figure, a printed result)
    run(anchor)    a code cell run for its effect alone (the imports and the course's figure style)

The code that the shown cells need is found by the builder, not listed: for
every name that a kept cell reads, the last earlier cell of the lesson that
binds it (or changes it: `x[...] = `, `x.attr = `, or a draw from the random
generator `rng`, whose state later cells depend on) is kept too, and so on
for what that cell reads. Those cells run with their output hidden, by a
`%%capture` line put above their unchanged source. So a page runs the
lesson's own code, in the lesson's order, and computes what the lesson
computes.

An anchor must match exactly one cell of its kind; when a lesson changes so
that one no longer does, the build stops with a message that names the lesson
and the anchor (so a changed lesson breaks the build and its test, never
silently changes a demo). The build also stops if a kept cell is an exercise
or a checker, if a shown cell needs one, or if a lesson has a widget cell that
its spec leaves out. Exercises, checkers and the static twin of each widget
(its first view drawn again for static pages) are never named, and Voila
hides all code.

A lesson without a spec (a notebook added later) gets a page by a generic
rule, with a warning: each widget cell with the markdown cell before it, and
every earlier code cell that is not an exercise run with its output hidden.

The pages keep the lessons' file names, so a link from one lesson to another
leads to the other demo page; index.ipynb links them all.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "build" / "demo"

# A cell that is an exercise, or checks one: never on a demo page.
EXERCISE_MARKS = ("rnnlib.exercises", "NotImplementedError", ".check_", ".solution(")
# A cell that shows a widget (the progress bar of training is not one a teacher moves).
WIDGET_MARK = re.compile(r"from rnnlib\.widgets\.(?!progress)\w+ import")
HIDE_OUTPUT = "%%capture\n"
# Names whose every use changes them: a random generator's state moves on with each draw.
STATEFUL = {"rng"}
# Names a kernel has without any cell defining them.
PREDEFINED = set(dir(builtins)) | {"display", "get_ipython", "In", "Out"}


@dataclass(frozen=True)
class Keep:
    kind: str  # "text", "show" or "run"
    anchor: str


def text(anchor: str) -> Keep:
    return Keep("text", anchor)


def show(anchor: str) -> Keep:
    return Keep("show", anchor)


def run(anchor: str) -> Keep:
    return Keep("run", anchor)


IMPORTS = run("use_course_style()")  # every lesson's first code cell: imports, the course's figure style, the seed

# lesson number -> (what the page shows, in a line for the index; the cells to keep)
SPECS: dict[str, tuple[str, list[Keep]]] = {
    "01": (
        "the shapes of sequence tasks; a bag of words forgets the order; a window misses what is far back",
        [
            IMPORTS,
            text("Text, speech, music, DNA"),
            show("plot_task_shapes()"),
            text("## A bag of words forgets the order"),
            text("their sums (the last row, below the line) do not"),
            show("plot_bags("),
            text("In English the verb agrees with its subject"),
            show("plot_windows("),
            text("Second, the number of parameters grows with $k$"),
            show("ax.plot(ks, mlp_counts"),
            text("## What we want instead"),
            show("ax.imshow(np.array(finals)"),
        ],
    ),
    "02": (
        "an RNN drawn with its loop and unrolled; the unrolling stepper reads a sentence word by word",
        [
            IMPORTS,
            text("A network with a loop, and the same network unrolled"),
            show("draw_loop_vs_unrolled(tokens)"),
            text("The unrolling stepper"),
            show("UnrollingStepper("),
        ],
    ),
    "03": (
        "the five usage patterns, each drawn and trained: acceptor, encoder, transducer, encoder-decoder, generator",
        [
            IMPORTS,
            text("Acceptor: read everything, then decide once"),
            show('draw_pattern("acceptor")'),
            text("Before training, the model guesses"),
            show("history = acceptor_result.history"),
            text("Encoder: the last state as a feature vector"),
            show('draw_pattern("encoder")'),
            text("What did the encoder learn to put in its vectors?"),
            show("E = encode(encoder_cell"),
            text("Transducer: one output for every input"),
            show('draw_pattern("transducer")'),
            text("Tag some sentences"),
            show("predict_tags(tagger, token_lists)"),
            text("*Austin* is a place the first time and a person the second time"),
            text("Encoder-decoder: read one sequence, then write another"),
            show('draw_pattern("encoder-decoder")'),
            show("written = reverser.generate("),
            text("Generator: one input, many outputs"),
            show('draw_pattern("generator")'),
            text("**Temperature.**"),
            show("p = temperature_probs(next_logits, tau)"),
            text("Now let it write 150 characters"),
            show('print(f"temperature {tau}:")'),
            text("The five patterns, side by side"),
            show('"acceptor": acceptor_result,'),
        ],
    ),
    "04": (
        "a left-to-right state has only read the past; what each state of a bidirectional RNN has read; the two Salts",
        [
            IMPORTS,
            text("A state has only seen the past"),
            show('place = "Salt Lake City has a busy airport .".split()'),
            text("The way out is to let position $t$ see the words after it too"),
            show('draw_pattern("bidirectional")'),
            text("What each state has read"),
            show("SeenWidget("),
            text("A tagging task that needs the words on the right"),
            text("At $t = 1$ a unidirectional tagger has read the first word and nothing else"),
            show("{'first word':>10} {'all words':>10} {'sentences':>10}"),
            show('("first word", lambda o: o.score)'),
            text("Inside the taggers: the two *Salt*s"),
            show("P(Salt is B-LOC)"),
        ],
    ),
    "05": (
        "the Elman RNN unrolled with its loss; the backward stepper walks BPTT; what truncation cuts, in a figure "
        "and in training",
        [
            IMPORTS,
            text("Unrolled, the loss is a sum over time"),
            show("draw_unrolled(tokens"),
            text("The backward stepper"),
            show("BackwardStepper("),
            text("Truncated backpropagation through time"),
            show("plot_truncation(norms"),
            text("Training an Elman RNN: the delayed echo"),
            show("full = train_echo("),
            text("**Truncation on the same task.**"),
            show('ax.plot(full.history.running_loss(20), label="full BPTT")'),
        ],
    ),
    "06": (
        "the gradient vanishing with distance (the gradient explorer); the cliff and clipping; "
        "the Elman RNN failing the adding problem as T grows",
        [
            IMPORTS,
            text("Measured: how much of the gradient reaches back"),
            show("T, B, D, H = 50, 16, 4, 32"),
            text("The widget draws it."),
            show("gradient_explorer("),
            text("The three nonlinearities side by side"),
            show("compare_nonlinearities("),
            text("Exploding gradients, the cliff, and clipping"),
            show("surface = cliff.one_unit_loss("),
            text("**Gradient clipping**"),
            show("wild = long_range.train_adding(clip_norm=None"),
            show("ax_norm.plot(steps, result.history.grad_norms"),
            text("The consequence: the adding problem"),
            show("example = tasks.adding_problem(T=10, n=1, seed=0)"),
            text("**The sweep.**"),
            show("results[T_task] = long_range.train_adding(T_task, seed=0)"),
            show("ax_sweep.axhline(tasks.ADDING_BASELINE_MSE"),
        ],
    ),
    "07": (
        "the LSTM cell; the gradient along the memory, half by half; the LSTM solving the adding problem at "
        "T = 100 where Elman RNNs fail; the unit that holds the answer, in the gate explorer",
        [
            IMPORTS,
            text("## The cell: a memory $c_t$, three gates and a candidate"),
            show("fig = draw_lstm_cell()"),
            text("**Measured.** As in notebook 6"),
            show("fig, ax = plt.subplots(figsize=(8, 4.5))\nfor (name, r), color in zip(reach.items()"),
            text("**The memory path, half by half.**"),
            show("fig, axes = plt.subplots(1, 2, figsize=(13, 4.5), sharey=True)"),
            text("One step back, $\\|dL/dc_t\\|$ and the direct line coincide"),
            show("for (name, outcome), color in zip(race.items()"),
            text("All three first learn to answer about 1"),
            text("**The sweep over $T$.**"),
            show("fig, (ax_mse, ax_steps) = plt.subplots(1, 2"),
            text("The Elman RNN (blue) solves $T = 10$"),
            show('lstm_model = race["LSTM, H = 32"].model'),
            text("One unit does nearly all the work."),
            text("Move the slider through the sequences."),
            show("gate_explorer("),
        ],
    ),
    "08": (
        "beyond the lecture: the GRU's gradient reach and the adding problem at T = 100; a character-level LSTM "
        "trained on Python's own source, its learning curve and what it writes",
        [
            IMPORTS,
            text("## The GRU: gates without a separate memory"),
            show('colors = [COLORS[k] for k in ("blue", "green"'),
            text("With its update gates near 0.5, a new GRU halves what it keeps"),
            show("print(gru_run.claim())"),
            show("cell_trained, head_trained = gru_run.model"),
            text("## A character-level LSTM that writes"),
            show("bits_2 = np.log(2)"),
            text("The model starts at the uniform guess"),
            show("sampled text from a model trained on this Python version"),
        ],
    ),
}


class DemoSpecError(Exception):
    """A lesson and its demo spec no longer agree."""


def is_exercise(source: str) -> bool:
    return any(mark in source for mark in EXERCISE_MARKS)


def _root_name(node) -> str | None:
    """x for x, x[...], x.attr, x[...].attr: the name that an assignment to the target changes."""
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _local_names(node) -> set[str]:
    """The names local to a function, a lambda or a comprehension: its arguments and what it binds inside."""
    names = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if a is not None:
                names.add(a.arg)
        body = node.body if isinstance(node.body, list) else [node.body]
        for statement in body:
            names |= {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    else:  # a comprehension: the targets of its for clauses
        for generator in node.generators:
            names |= {n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)}
    return names


class _Names(ast.NodeVisitor):
    """Names one statement binds or changes at the top level of a cell, and the free names it reads."""

    def __init__(self):
        self.binds: set[str] = set()
        self.reads: set[str] = set()
        self.scopes: list[set[str]] = []  # the local names of the functions and comprehensions we are inside

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            if not any(node.id in scope for scope in self.scopes):
                self.reads.add(node.id)
        elif not self.scopes:
            self.binds.add(node.id)

    def _changes(self, target):
        root = _root_name(target)
        if root is not None and not isinstance(target, ast.Name) and not self.scopes:
            self.binds.add(root)  # x[...] = ..., x.attr = ...: x is changed, so it is read and bound

    def visit_Assign(self, node):
        for target in node.targets:
            self._changes(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._changes(node.target)
        root = _root_name(node.target)
        if root is not None and not any(root in scope for scope in self.scopes):
            self.reads.add(root)  # x += ... reads x
        self.generic_visit(node)

    def visit_Import(self, node):
        if not self.scopes:
            self.binds |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}

    visit_ImportFrom = visit_Import

    def _scope(self, node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for expr in node.decorator_list + node.args.defaults + node.args.kw_defaults:
                if expr is not None:
                    self.visit(expr)
            if not self.scopes:
                self.binds.add(node.name)
        self.scopes.append(_local_names(node))
        body = node.body if isinstance(node, ast.Lambda) else None
        if body is not None:
            self.visit(body)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for statement in node.body:
                self.visit(statement)
        else:
            for child in ast.iter_child_nodes(node):
                self.visit(child)
        self.scopes.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _scope
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _scope

    def visit_ClassDef(self, node):
        if not self.scopes:
            self.binds.add(node.name)
        self.generic_visit(node)


def _parse(source: str):
    """The cell's code as a syntax tree (IPython's magic and shell lines left out), or None."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def _names(node) -> _Names:
    names = _Names()
    names.visit(node)
    return names


def _flow(statements, bound: set[str]) -> tuple[set[str], set[str]]:
    """(names bound, names needed from before) by statements run in order; bound grows as they bind.

    The bodies of compound statements are followed in order too, so a name that a loop body
    binds and then reads is not needed from before, while x = x + 1 or x[0] = 1 needs x.
    """
    binds, needs = set(), set()

    def reads(node):
        if node is not None:
            needs.update(_names(node).reads - bound)

    def bind(node):
        if node is not None:
            new = _names(node).binds
            bound.update(new)
            binds.update(new)

    def body(statements):
        b, n = _flow(statements, bound)
        binds.update(b)
        needs.update(n)

    for st in statements:
        if isinstance(st, (ast.For, ast.AsyncFor)):
            reads(st.iter)
            bind(st.target)
            body(st.body + st.orelse)
        elif isinstance(st, (ast.If, ast.While)):
            reads(st.test)
            body(st.body + st.orelse)
        elif isinstance(st, (ast.With, ast.AsyncWith)):
            for item in st.items:
                reads(item.context_expr)
                bind(item.optional_vars)
            body(st.body)
        elif isinstance(st, ast.Try):
            body(st.body)
            for handler in st.handlers:
                reads(handler.type)
                if handler.name:
                    bound.add(handler.name)
                body(handler.body)
            body(st.orelse + st.finalbody)
        else:
            names = _names(st)
            needs.update(names.reads - bound)
            bound.update(names.binds)
            binds.update(names.binds)
    return binds, needs


def cell_names(source: str) -> tuple[set[str], set[str]]:
    """(the names a cell binds or changes, the names it needs from earlier cells).

    A name is needed unless the cell binds it before it first reads it. A draw from the random
    generator rng both needs rng and changes it.
    """
    tree = _parse(source)
    if tree is None:
        return set(), set()
    binds, needs = _flow(tree.body, set())
    stateful = _names(tree).reads & STATEFUL
    return binds | stateful, (needs | stateful) - PREDEFINED


def add_dependencies(nb, number: str, chosen: dict[int, Keep]) -> dict[int, Keep]:
    """Keep, as hidden runs, the earlier cells that the kept code cells need, and the cells those need."""
    names = {i: cell_names(c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    todo = [i for i, keep in chosen.items() if keep.kind != "text"]
    while todo:
        i = todo.pop()
        for name in sorted(names[i][1]):
            source = next((j for j in sorted(names, reverse=True) if j < i and name in names[j][0]), None)
            if source is None:
                continue  # no cell of the lesson binds it (a name IPython provides, or a typo the lesson would show)
            if is_exercise(nb.cells[source].source):
                raise DemoSpecError(
                    f"lesson {number}: cell {i} needs {name!r}, which an exercise or a checker (cell {source}) binds"
                )
            if source not in chosen:
                chosen[source] = run(f"(binds {name!r} for cell {i})")
                todo.append(source)
    return chosen


def lesson_number(path: Path) -> str:
    return path.name.split("_", 1)[0]


def lessons(folder: Path = NOTEBOOKS) -> list[Path]:
    """The lesson notebooks: notebooks/NN_name.ipynb."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def select_cells(nb, number: str, spec: list[Keep]) -> list[tuple[int, Keep]]:
    """The cells of the lesson that the spec names, as (index, Keep) in the lesson's order."""
    chosen: dict[int, Keep] = {}
    for keep in spec:
        cell_type = "markdown" if keep.kind == "text" else "code"
        hits = [i for i, c in enumerate(nb.cells) if c.cell_type == cell_type and keep.anchor in c.source]
        if len(hits) != 1:
            found = "no" if not hits else f"{len(hits)} ({', '.join(f'cell {i}' for i in hits)})"
            raise DemoSpecError(
                f"lesson {number}: the anchor {keep.anchor!r} ({keep.kind}) matches {found} {cell_type} cells; "
                f"it must match exactly one. The lesson has changed: update its entry in SPECS in tools/make_demos.py."
            )
        index = hits[0]
        if index in chosen:
            raise DemoSpecError(f"lesson {number}: cell {index} is named twice, by {chosen[index]} and {keep}")
        if is_exercise(nb.cells[index].source):
            raise DemoSpecError(f"lesson {number}: the anchor {keep.anchor!r} names an exercise or a checker")
        chosen[index] = keep
    add_dependencies(nb, number, chosen)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and WIDGET_MARK.search(cell.source) and i not in chosen:
            raise DemoSpecError(
                f"lesson {number}: code cell {i} shows a widget that the demo spec leaves out:\n{cell.source}"
            )
        if i in chosen and chosen[i].kind == "run" and WIDGET_MARK.search(cell.source):
            raise DemoSpecError(f"lesson {number}: the widget cell {i} must be shown, not run with its output hidden")
    return sorted(chosen.items())


def generic_spec(nb) -> list[tuple[int, Keep]]:
    """For a lesson without a spec: every widget with the markdown before it; the imports and what they need, hidden."""
    widget_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and WIDGET_MARK.search(c.source)]
    chosen: dict[int, Keep] = {}
    for w in widget_cells:
        chosen[w] = show("")
        before = [i for i in range(w) if nb.cells[i].cell_type == "markdown"]
        if before:
            chosen[before[-1]] = text("")
    first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), None)
    if first_code is not None and first_code not in chosen:
        chosen[first_code] = run("")  # the imports
    return sorted(add_dependencies(nb, "(no spec)", chosen).items())


def lesson_title(nb, path: Path) -> str:
    """The lesson's title: the first heading of its first cell ('# 2. Recurrent ...'), without the '#'."""
    for line in nb.cells[0].source.splitlines() if nb.cells else []:
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def demo_cell(cell, keep: Keep):
    if keep.kind == "text":
        new = nbformat.v4.new_markdown_cell(cell.source)
        if cell.get("attachments"):
            new.attachments = cell.attachments
        return new
    source = cell.source if keep.kind == "show" else HIDE_OUTPUT + cell.source
    return nbformat.v4.new_code_cell(source)


def build_page(path: Path, pages: list[tuple[str, str, str]]) -> tuple[nbformat.NotebookNode, str, str]:
    """The demo notebook of one lesson; also its title and its one-line description."""
    nb = nbformat.read(path, as_version=4)
    number = lesson_number(path)
    if number in SPECS:
        about, spec = SPECS[number]
        selected = select_cells(nb, number, spec)
    else:
        about = "its widgets (no demo spec yet: a page made by the generic rule)"
        warnings.warn(
            f"{path.name} has no demo spec in tools/make_demos.py: its page shows its widgets by the generic rule",
            stacklevel=2,
        )
        selected = generic_spec(nb)
    title = lesson_title(nb, path)
    names = [name for name, _, _ in pages]
    k = names.index(path.name)
    links = ["[all demonstrations](index.ipynb)"]
    if k > 0:
        links.insert(0, f"[← {pages[k - 1][1]}]({pages[k - 1][0]})")
    if k + 1 < len(pages):
        links.append(f"[{pages[k + 1][1]} →]({pages[k + 1][0]})")
    header = nbformat.v4.new_markdown_cell(f"# {title}\n\nDemonstrations: {about}.\n\n" + " · ".join(links))
    demo = nbformat.v4.new_notebook()
    demo.metadata = {key: nb.metadata[key] for key in ("kernelspec", "language_info") if key in nb.metadata}
    demo.metadata["rnnlib_demo"] = {"lesson": path.name, "cells": [i for i, _ in selected]}
    demo.cells = [header] + [demo_cell(nb.cells[i], keep) for i, keep in selected]
    return demo, title, about


def build(out: Path = DEFAULT_OUT, folder: Path = NOTEBOOKS) -> list[Path]:
    """Write one demo notebook per lesson and index.ipynb into out; return their paths (index last)."""
    paths = lessons(folder)
    if not paths:
        raise DemoSpecError(f"no lesson notebooks (NN_name.ipynb) in {folder}")
    if out.resolve() == folder.resolve():
        raise DemoSpecError(f"the demo pages never go into the lessons' folder ({folder}): choose another --out")
    titles = [(p.name, lesson_title(nbformat.read(p, as_version=4), p), "") for p in paths]
    built, rows = [], []
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.ipynb"):  # a lesson that was renamed or removed leaves no page behind
        if "rnnlib_demo" in nbformat.read(stale, as_version=4).metadata:  # only pages that this script wrote
            stale.unlink()
    for path in paths:
        demo, title, about = build_page(path, titles)
        target = out / path.name
        nbformat.write(demo, target)
        built.append(target)
        rows.append(f"| [{title}]({path.name}) | {about} |")
    index = nbformat.v4.new_notebook()
    index.metadata = nbformat.read(built[0], as_version=4).metadata
    index.metadata["rnnlib_demo"] = {"index": True}
    index.cells = [
        nbformat.v4.new_markdown_cell(
            "# Recurrent neural networks, by running them: the demonstrations\n\n"
            "One page per lesson, for a projector: the lesson's widgets and key figures with the sentences "
            "that frame them, without code or exercises. The full lessons, with code and exercises, are the "
            "notebooks in the course's `notebooks/` folder.\n\n"
            "| lesson | what the page shows |\n|---|---|\n" + "\n".join(rows)
        )
    ]
    nbformat.write(index, out / "index.ipynb")
    built.append(out / "index.ipynb")
    return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="the folder of lesson notebooks")
    args = parser.parse_args()
    try:
        built = build(args.out, args.notebooks)
    except DemoSpecError as err:
        print(f"make_demos: {err}", file=sys.stderr)
        return 1
    for path in built:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

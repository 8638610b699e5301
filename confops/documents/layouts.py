"""Badge layouts: TOML files in badges/, checked completely on load.

A layout is edited by staff, not programmers, and a mistake found while 400 badges print is a
wasted morning: so every problem is reported at once, each naming the file and the field
(``badges/x.toml: front[2].size_pt: must be a number > 0``), before anything is drawn.

Coordinates are millimetres, measured from the label's top-left corner (as on a ruler held
against the stock); the renderer converts to PDF points.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter

from confops.resources import shipped

ROOT = shipped("badges")
MM = 72 / 25.4

PAGE_SIZES_MM = {"letter": (215.9, 279.4), "a4": (210.0, 297.0), "a6": (105.0, 148.0)}
ROLES = ("attendee", "faculty", "staff", "group_leader")
DEFAULT_ROLES = {
    "attendee": ("#2f6f73", "ATTENDEE"),
    "faculty": ("#8a3b12", "FACULTY"),
    "staff": ("#1f3a68", "STAFF"),
    "group_leader": ("#5b2a86", "GROUP LEADER"),
}
VARIABLES = {"first_name", "last_name", "full_name", "credentials", "name_with_credentials", "pronouns",
             "institution", "city_region", "role_label", "group_label", "event_title"}
LINE_SOURCES = {"schedule", "groups", "groups_and_schedule"}
FONTS = {"regular", "bold"}
ALIGNS = {"left", "center", "right"}
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class LayoutError(ValueError):
    """A layout file that cannot be used; the message lists every problem."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


@dataclass(frozen=True)
class Element:
    kind: str  # text, lines, qr, band, image
    x: float
    y: float
    width: float
    height: float
    text: str = ""
    source: str = ""
    font: str = "regular"
    size_pt: float = 10.0
    min_size_pt: float = 6.0
    align: str = "left"
    color: str = "#000000"
    line_gap_pt: float = 2.0
    path: Path | None = None


@dataclass(frozen=True)
class Layout:
    name: str
    source: Path
    page_width: float  # mm
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    margin_left: float
    margin_top: float
    gap_x: float
    gap_y: float
    duplex: bool
    front: tuple[Element, ...]
    back: tuple[Element, ...]
    roles: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(DEFAULT_ROLES))

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def label_origin(self, index: int, *, back: bool = False) -> tuple[float, float]:
        """Top-left corner (mm from the page's top-left) of slot `index` (row-major). On the
        back of a duplex sheet the page is mirrored left to right (so the columns swap), so
        each back lands behind its own front when the sheet is flipped on its long edge."""
        row, col = divmod(index, self.columns)
        x = self.margin_left + col * (self.label_width + self.gap_x)
        if back:
            x = self.page_width - x - self.label_width
        return x, self.margin_top + row * (self.label_height + self.gap_y)


def available() -> dict[str, Path]:
    return {p.stem: p for p in sorted(ROOT.glob("*.toml"))}


def load_layout(name_or_path: str | Path) -> Layout:
    """A shipped layout by name (``badge-4x3``) or any layout file by path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        shipped = available()
        if str(name_or_path) not in shipped:
            raise LayoutError(ROOT / f"{name_or_path}.toml",
                              [f"no such layout; shipped layouts: {', '.join(shipped)}"])
        path = shipped[str(name_or_path)]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LayoutError(path, [f"cannot be read: {exc.strerror}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(path, [f"is not valid TOML: {exc}"]) from exc
    return _Checker(path).layout(data)


class _Checker:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def number(self, table: dict, key: str, where: str, *, default=None, positive=False) -> float:
        value = table.get(key, default)
        if value is None:
            self.fail(f"{where}.{key}" if where else key, "is required (a number)")
            return 1.0
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (positive and value == 0):
            self.fail(f"{where}.{key}" if where else key, f"must be a number {'>' if positive else '>='} 0, not {value!r}")
            return 1.0
        return float(value)

    def table(self, data: dict, key: str) -> dict:
        value = data.get(key)
        if not isinstance(value, dict):
            self.fail(key, "is required (a table)")
            return {}
        return value

    def layout(self, data: dict) -> Layout:
        page = self.table(data, "page")
        grid = self.table(data, "grid")
        size = page.get("size")
        if size is not None:
            if size not in PAGE_SIZES_MM:
                self.fail("page.size", f"must be one of {', '.join(PAGE_SIZES_MM)}, or give width_mm and height_mm")
                pw, ph = 1.0, 1.0
            else:
                pw, ph = PAGE_SIZES_MM[size]
        else:
            pw = self.number(page, "width_mm", "page", positive=True)
            ph = self.number(page, "height_mm", "page", positive=True)
        columns, rows = (self.count(grid, k) for k in ("columns", "rows"))
        lw = self.number(grid, "label_width_mm", "grid", positive=True)
        lh = self.number(grid, "label_height_mm", "grid", positive=True)
        ml = self.number(grid, "margin_left_mm", "grid", default=0)
        mt = self.number(grid, "margin_top_mm", "grid", default=0)
        gx = self.number(grid, "gap_x_mm", "grid", default=0)
        gy = self.number(grid, "gap_y_mm", "grid", default=0)
        duplex = grid.get("duplex", False)
        if not isinstance(duplex, bool):
            self.fail("grid.duplex", "must be true or false")
        if not self.problems:
            if ml + columns * lw + (columns - 1) * gx > pw + 0.01:
                self.fail("grid.columns", f"{columns} labels of {lw} mm with margins and gaps are wider than the page ({pw} mm)")
            if mt + rows * lh + (rows - 1) * gy > ph + 0.01:
                self.fail("grid.rows", f"{rows} labels of {lh} mm with margins and gaps are taller than the page ({ph} mm)")
        front = self.elements(data, "front", lw, lh, required=True)
        back = self.elements(data, "back", lw, lh, required=bool(duplex))
        if back and not duplex:
            self.fail("back", "is only printed when grid.duplex = true")
        roles = self.roles(data.get("roles", {}))
        if self.problems:
            raise LayoutError(self.path, self.problems)
        return Layout(self.path.stem, self.path, pw, ph, columns, rows, lw, lh, ml, mt, gx, gy, bool(duplex),
                      front, back, roles)

    def count(self, grid: dict, key: str) -> int:
        value = grid.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 20:
            self.fail(f"grid.{key}", f"must be a whole number from 1 to 20, not {value!r}")
            return 1
        return value

    def roles(self, raw) -> dict[str, tuple[str, str]]:
        roles = dict(DEFAULT_ROLES)
        if not isinstance(raw, dict):
            self.fail("roles", "must be a table of role = {color, label}")
            return roles
        for role, spec in raw.items():
            where = f"roles.{role}"
            if role not in ROLES:
                self.fail(where, f"unknown role; roles are {', '.join(ROLES)}")
                continue
            if not isinstance(spec, dict):
                self.fail(where, "must be a table {color = \"#rrggbb\", label = \"…\"}")
                continue
            color = spec.get("color", roles[role][0])
            if not isinstance(color, str) or not _COLOR.match(color):
                self.fail(f"{where}.color", f"must look like #1f3a68, not {color!r}")
            label = spec.get("label", roles[role][1])
            if not isinstance(label, str):
                self.fail(f"{where}.label", "must be text")
            roles[role] = (str(color), str(label))
        return roles

    def elements(self, data: dict, key: str, lw: float, lh: float, *, required: bool) -> tuple[Element, ...]:
        raw = data.get(key, [])
        if not isinstance(raw, list) or (required and not raw):
            self.fail(key, f"is required: a list of [[{key}]] elements" if required else "must be a list of elements")
            return ()
        return tuple(e for i, item in enumerate(raw) if (e := self.element(item, f"{key}[{i}]", lw, lh)))

    def element(self, item, where: str, lw: float, lh: float) -> Element | None:
        if not isinstance(item, dict):
            self.fail(where, "must be a table")
            return None
        kind = item.get("type")
        if kind not in {"text", "lines", "qr", "band", "image"}:
            self.fail(f"{where}.type", f"must be text, lines, qr, band or image, not {kind!r}")
            return None
        x = self.number(item, "x_mm", where)
        y = self.number(item, "y_mm", where)
        if kind == "qr":
            w = h = self.number(item, "size_mm", where, positive=True)
        else:
            w = self.number(item, "width_mm", where, positive=True)
            h = self.number(item, "height_mm", where, positive=True)
        if x + w > lw + 0.01 or y + h > lh + 0.01:
            self.fail(where, f"reaches outside the {lw} × {lh} mm label")
        extra: dict = {}
        if kind == "text":
            text = item.get("text")
            if not isinstance(text, str) or not text:
                self.fail(f"{where}.text", "is required, e.g. \"{first_name}\"")
            else:
                try:
                    fields = [(name, conv, spec) for _, name, spec, conv in Formatter().parse(text) if name is not None]
                except ValueError as exc:
                    self.fail(f"{where}.text", f"braces do not match ({exc}); write {{{{ and }}}} for literal braces")
                    fields = []
                for name, conv, spec in fields:
                    if name not in VARIABLES:
                        self.fail(f"{where}.text", f"unknown variable {{{name}}}; variables are {', '.join(sorted(VARIABLES))}")
                    elif conv or spec:
                        self.fail(f"{where}.text", f"write {{{name}}} without conversions or formats")
                extra["text"] = text
        if kind == "lines":
            source = item.get("source")
            if source not in LINE_SOURCES:
                self.fail(f"{where}.source", f"must be one of {', '.join(sorted(LINE_SOURCES))}")
            extra["source"] = source or ""
            extra["line_gap_pt"] = self.number(item, "line_gap_pt", where, default=2)
        if kind in {"text", "lines", "band"}:
            extra["size_pt"] = self.number(item, "size_pt", where, default=10, positive=True)
            extra["min_size_pt"] = self.number(item, "min_size_pt", where, default=min(6.0, extra["size_pt"]), positive=True)
            if extra["min_size_pt"] > extra["size_pt"]:
                self.fail(f"{where}.min_size_pt", "must not exceed size_pt")
            font = item.get("font", "bold" if kind == "band" else "regular")
            if font not in FONTS:
                self.fail(f"{where}.font", f"must be regular or bold, not {font!r}")
            align = item.get("align", "center" if kind == "band" else "left")
            if align not in ALIGNS:
                self.fail(f"{where}.align", f"must be left, center or right, not {align!r}")
            color = item.get("color", "#ffffff" if kind == "band" else "#000000")
            if not isinstance(color, str) or not _COLOR.match(color):
                self.fail(f"{where}.color", f"must look like #1f3a68, not {color!r}")
            extra.update(font=font, align=align, color=color)
        if kind == "image":
            rel = item.get("path")
            target = (self.path.parent / rel) if isinstance(rel, str) else None
            if target is None or not target.is_file():
                self.fail(f"{where}.path", f"must name an image file next to the layout, not {rel!r}")
            extra["path"] = target
        return Element(kind, x, y, w, h, **extra)

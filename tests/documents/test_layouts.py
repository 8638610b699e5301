"""Layout files are checked on load; every problem names the file and the field."""

import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from confops.documents.badges import BadgeData, render_badges
from confops.documents.layouts import LayoutError, available, load_layout

GOOD = """
[page]
size = "letter"
[grid]
columns = 2
rows = 3
label_width_mm = 101.6
label_height_mm = 76.2
margin_left_mm = 6.35
margin_top_mm = 25.4
[[front]]
type = "text"
text = "{first_name}"
x_mm = 5
y_mm = 5
width_mm = 90
height_mm = 20
"""


def _write(tmp_path, text, name="mine.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_layout_loads():
    assert {"badge-4x3", "avery-5392", "badge-4x6-duplex", "badge-a6"} <= set(available())
    for name in available():
        assert load_layout(name).front


def test_a_good_layout_from_any_path(tmp_path):
    layout = load_layout(_write(tmp_path, GOOD))
    assert layout.per_page == 6 and not layout.duplex and layout.name == "mine"


def test_every_problem_is_reported_with_file_and_field(tmp_path):
    bad = GOOD.replace('size = "letter"', 'size = "tabloid"').replace("rows = 3", "rows = 0") \
        .replace('text = "{first_name}"', 'text = "{nickname}"').replace("height_mm = 20", "height_mm = -3") \
        + '\n[[front]]\ntype = "qr"\nx_mm = 90\ny_mm = 60\nsize_mm = 30\n' \
        + '\n[[front]]\ntype = "text"\ntext = "{full_name}"\nx_mm = 1\ny_mm = 1\nwidth_mm = 10\nheight_mm = 5\nsize_pt = 8\nmin_size_pt = 9\nfont = "comic"\ncolor = "red"\n' \
        + '\n[roles.visitor]\ncolor = "#123456"\n'
    path = _write(tmp_path, bad)
    with pytest.raises(LayoutError) as caught:
        load_layout(path)
    message = str(caught.value)
    for field in ("page.size", "grid.rows", "front[0].text", "front[0].height_mm", "front[1]: reaches outside",
                  "front[2].min_size_pt", "front[2].font", "front[2].color", "roles.visitor"):
        assert f"{path}: {field}" in message, field
    assert "unknown variable {nickname}" in message


def test_grid_wider_than_the_page_and_missing_sections(tmp_path):
    wide = _write(tmp_path, GOOD.replace("columns = 2", "columns = 3"), "wide.toml")
    with pytest.raises(LayoutError, match=r"wide\.toml: grid\.columns: 3 labels of 101\.6 mm"):
        load_layout(wide)
    empty = _write(tmp_path, "", "empty.toml")
    with pytest.raises(LayoutError) as caught:
        load_layout(empty)
    for section in ("page", "grid", "front"):
        assert any(p.startswith(f"{section}: is required") for p in caught.value.problems), section


def test_duplex_needs_a_back_and_back_needs_duplex(tmp_path):
    duplex = _write(tmp_path, GOOD.replace("rows = 3", "rows = 3\nduplex = true"), "duplex.toml")
    with pytest.raises(LayoutError, match=r"duplex\.toml: back: is required"):
        load_layout(duplex)
    back = GOOD + '\n[[back]]\ntype = "lines"\nsource = "agenda"\nx_mm = 1\ny_mm = 1\nwidth_mm = 10\nheight_mm = 10\n'
    with pytest.raises(LayoutError) as caught:
        load_layout(_write(tmp_path, back, "back.toml"))
    assert any(p.startswith("back[0].source") for p in caught.value.problems)
    assert any(p.startswith("back: is only printed when grid.duplex") for p in caught.value.problems)


@pytest.mark.parametrize(("text", "says"), [("{0}", "unknown variable {0}"), ("Hi {first_name", "braces do not match"),
                                             ("{first_name!r}", "without conversions"), ("{first_name:>9}", "without conversions")])
def test_text_variables_are_checked_before_printing(tmp_path, text, says):
    path = _write(tmp_path, GOOD.replace('text = "{first_name}"', f'text = "{text}"'))
    with pytest.raises(LayoutError, match=rf"mine\.toml: front\[0\]\.text: .*{re.escape(says)}"):
        load_layout(path)
    assert load_layout(_write(tmp_path, GOOD.replace('text = "{first_name}"', 'text = "{{{first_name}}}"'), "ok.toml"))


def test_not_toml_and_unknown_name(tmp_path):
    with pytest.raises(LayoutError, match=r"broken\.toml: is not valid TOML"):
        load_layout(_write(tmp_path, "[page\n", "broken.toml"))
    with pytest.raises(LayoutError, match="no such layout; shipped layouts: .*badge-4x3"):
        load_layout("badge-9x9")


def test_image_element_is_drawn_and_a_missing_image_is_named(tmp_path):
    Image.new("RGB", (40, 20), "#2f6f73").save(tmp_path / "logo.png")
    with_image = GOOD + '\n[[front]]\ntype = "image"\npath = "logo.png"\nx_mm = 70\ny_mm = 50\nwidth_mm = 25\nheight_mm = 12\n'
    layout = load_layout(_write(tmp_path, with_image))
    page = PdfReader(io.BytesIO(render_badges([BadgeData("Ana", "Ana Lima")], layout))).pages[0]
    assert any(obj.get_object()["/Subtype"] == "/Image" for obj in page["/Resources"]["/XObject"].values())
    with pytest.raises(LayoutError, match=r"front\[1\]\.path: must name an image file"):
        load_layout(_write(tmp_path, with_image.replace("logo.png", "missing.png"), "nologo.toml"))

"""Word files for the tests, built with python-docx as Word would save them."""
import base64
import io

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# A 1x1 transparent PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def add_link(paragraph, text: str, url: str) -> None:
    """A hyperlink run (python-docx has no API for one: this is the XML Word writes)."""
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def patient_leaflet(*, images: int = 2, comments: int = 1) -> bytes:
    """A patient leaflet with headings, emphasis, lists, a link, a table, images and comments."""
    document = Document()
    document.add_heading("Radiation therapy after breast surgery", level=1)
    intro = document.add_paragraph("Most people have ")
    intro.add_run("a few weeks").bold = True
    intro.add_run(" of treatment, ")
    intro.add_run("five days a week").italic = True
    intro.add_run(".")
    document.add_heading("What to expect", level=2)
    document.add_paragraph("Tiredness that builds up", style="List Bullet")
    document.add_paragraph("Skin changes where you are treated", style="List Bullet")
    document.add_paragraph("Meet your care team", style="List Number")
    document.add_paragraph("Plan the treatment", style="List Number")
    more = document.add_paragraph("Read more at ")
    add_link(more, "the cancer society", "https://www.cancer.org/treatment.html")
    more.add_run(".")
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(table.rows, [("Week", "What happens"), ("1", "Planning scan"), ("2-5", "Daily treatment")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    for _ in range(images):
        document.add_picture(io.BytesIO(PNG))
    last = document.add_paragraph("Ask your team about anything that worries you.")
    for n in range(comments):
        document.add_comment(last.runs, text=f"Check this with Dr Review ({n + 1})", author="Wanda Writer")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

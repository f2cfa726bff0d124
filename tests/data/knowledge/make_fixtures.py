#!/usr/bin/env python3
"""Writes the binary extraction fixtures (PDF, DOCX, zip bomb) of this folder.

Kept in the repository because PDFs and DOCX files cannot be edited by hand: change the content here, run
`python3 make_fixtures.py` in this folder and commit the regenerated files. Standard library only, so the output
does not depend on an office suite or a PDF library; extract_test.cpp asserts on the exact text written here.
"""

import hashlib
import zipfile

# --- PDF --------------------------------------------------------------------------------------------------------


def pdf_literal(text):
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_utf16(text):
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def page_stream(paragraphs):
    """One Helvetica line per string, 16 pt apart, and an extra 20 pt between paragraphs."""
    ops = [b"BT", b"/F1 12 Tf", b"72 760 Td"]
    first = True
    for paragraph in paragraphs:
        for i, line in enumerate(paragraph):
            if not first:
                ops.append(b"0 -36 Td" if i == 0 else b"0 -16 Td")
            ops.append(pdf_literal(line) + b" Tj")
            first = False
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def write_pdf(path, objects, info_number, trailer_extra=b""):
    """objects: list of bytes bodies, numbered from 1. Writes a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R%s >>\n" % (len(objects) + 1, info_number, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    with open(path, "wb") as f:
        f.write(out)


def stream(data):
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def pdf_objects(pages, info, encrypt_string=lambda number, data: data):
    """Catalog, Pages, then a Page and its content per page, the font, and the Info dictionary last."""
    page_numbers = [3 + 2 * i for i in range(len(pages))]
    font = 3 + 2 * len(pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % n for n in page_numbers) + b"] /Count %d >>" % len(pages),
    ]
    for number, paragraphs in zip(page_numbers, pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >>"
                       b" /Contents %d 0 R >>" % (font, number + 1))
        objects.append(stream(encrypt_string(number + 1, page_stream(paragraphs))))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(info)
    return objects


PDF_PAGES = [
    [
        ["Café Lumière Customer Guide"],
        ["We are open Monday to Friday from 8:00 to 18:00", "and on Saturday from 9:00 to 14:00."],
        ["Our crème brûlée is made fresh every morning."],
    ],
    [
        ["Delivery is free for orders over 30 euros.", "Orders placed before noon arrive the same day."],
        ["Refunds: bring the receipt within 14 days."],
    ],
]


def make_pdf():
    objects = pdf_objects(PDF_PAGES, b"<< /Title " + pdf_utf16("Café Lumière – Customer guide") + b" >>")
    write_pdf("sample.pdf", objects, len(objects))


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def make_encrypted_pdf():
    """Standard security handler, revision 2 (40-bit RC4), with a user password: it cannot be opened without it."""
    pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
    padded = lambda password: (password + pad)[:32]
    file_id = hashlib.md5(b"parley-encrypted-fixture").digest()
    permissions = -4
    owner_key = hashlib.md5(padded(b"owner-secret")).digest()[:5]
    owner_entry = rc4(owner_key, padded(b"user-secret"))
    file_key = hashlib.md5(padded(b"user-secret") + owner_entry + permissions.to_bytes(4, "little", signed=True) +
                           file_id).digest()[:5]
    user_entry = rc4(file_key, pad)

    def encrypt(number, data):
        return rc4(hashlib.md5(file_key + number.to_bytes(3, "little") + b"\0\0").digest()[:10], data)

    pages = [[["This text is locked behind a password."]]]
    objects = pdf_objects(pages, b"<< /Producer (parley) >>", encrypt)
    objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + owner_entry.hex().encode() + b"> /U <" +
                   user_entry.hex().encode() + b"> /P %d >>" % permissions)
    trailer = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), file_id.hex().encode(), file_id.hex().encode())
    write_pdf("encrypted.pdf", objects, len(objects) - 1, trailer)


# --- DOCX -------------------------------------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""

RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
Target="docProps/core.xml"/>
</Relationships>"""

CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Café Lumière – Customer guide</dc:title>
<dc:creator>Café Lumière</dc:creator>
</cp:coreProperties>"""

# A French Word names its heading styles "Titre1" but keeps the built-in name "heading 1"; "Heading2" below has
# no entry at all, as in files written by simple generators.
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {W}>
<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Titre"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Puces"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/>
<w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>
</w:styles>"""


def para(runs, style=None, numbered=False):
    ppr = ""
    if style or numbered:
        ppr = "<w:pPr>"
        if style:
            ppr += f'<w:pStyle w:val="{style}"/>'
        if numbered:
            ppr += '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
        ppr += "</w:pPr>"
    return f"<w:p>{ppr}{runs}</w:p>"


def run(text, bold=False):
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def row(*cells):
    return "<w:tr>" + "".join(f"<w:tc>{para(run(cell))}</w:tc>" for cell in cells) + "</w:tr>"


DOCUMENT = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W}>
<w:body>
{para(run("Café Lumière"), style="Titre")}
{para(run("Opening hours"), style="Titre1")}
{para(run("We are open ") + run("Monday to Friday", bold=True) + run(" from 8:00 to 18:00."))}
{para(run("Espresso"), numbered=True)}
{para(run("Crème brûlée"), style="Puces")}
{para(run("Delivery"), style="Heading2")}
{para('<w:r><w:t>Phone:</w:t><w:tab/><w:t>04 72 00 00 00</w:t><w:br/><w:t>Email: bonjour@cafe-lumiere.fr</w:t></w:r>')}
<w:tbl><w:tblPr/>{row("Zone", "Fee")}{row("Lyon", "free")}{row("Villeurbanne", "3 €")}</w:tbl>
{para('<w:r><w:t xml:space="preserve">Refunds within </w:t></w:r><w:del><w:r><w:delText>7</w:delText></w:r></w:del>'
      '<w:ins><w:r><w:t>14</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> days.</w:t></w:r>')}
{para("")}
<w:sectPr/>
</w:body>
</w:document>"""


def write_zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=9)


def make_docx():
    base = [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS)]
    write_zip("sample.docx", base + [("word/document.xml", DOCUMENT), ("word/styles.xml", STYLES),
                                     ("docProps/core.xml", CORE)])
    write_zip("no_document.docx", base + [("docProps/core.xml", CORE)])
    write_zip("broken_xml.docx", base + [("word/document.xml", f"<w:document {W}><w:body><w:p>")])
    # 21 MiB of spaces inside a valid paragraph compress to about 20 KB: over the 20 MiB limit per part.
    bomb = f"<w:document {W}><w:body><w:p><w:r><w:t>" + " " * (21 << 20) + "</w:t></w:r></w:p></w:body></w:document>"
    write_zip("bomb.docx", base + [("word/document.xml", bomb)])


if __name__ == "__main__":
    make_pdf()
    make_encrypted_pdf()
    make_docx()

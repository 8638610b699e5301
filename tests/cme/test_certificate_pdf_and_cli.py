"""The certificate PDF on its own (names in any script, statements wrapped, QR decodes), and
`confops certificates SLUG --out DIR` issuing and rendering every claimed certificate."""

import asyncio
import json

from click.testing import CliRunner

from confops.cli import main
from confops.cme.tables import Certificate
from confops.documents.certificates import render_certificate, render_transcript
from tests.cme.support import SLUG, evaluated_and_claimed, pdf_text, qr_texts
from tests.conftest import TEST_SECRET
from tests.support.live import server_env

CONTENT = {"kind": "learner", "title": "Certificate of credit", "learner": "Trần Thị Ngọc Ánh", "credentials": "MD",
           "provider": "American Balint Society", "issuer": "American Balint Society",
           "activity": "ABS National Meeting 2027", "dates": "May 6–8, 2027", "format": "live",
           "location": "Tacoma, WA", "credit_type": "ama_pra_1", "credit_label": "AMA PRA Category 1 Credit(s)™",
           "quarters": 13, "credit": "3.25", "designated": "14.00",
           "designation_statement": "The society designates this live activity for a maximum of 14.00 AMA PRA "
                                    "Category 1 Credit(s)™. Physicians should claim only the credit commensurate "
                                    "with the extent of their participation in the activity.",
           "accreditation_statement": "Accredited by the ACCME to provide continuing medical education.",
           "completed_on": "2027-05-08"}


def test_certificate_pdf_reads_back(tmp_path):
    url = "https://events.example.org/verify/CME-ABCDE-FGHJK-MNPQR-STVWX"
    data = render_certificate(CONTENT, "CME-ABCDE-FGHJK-MNPQR-STVWX", url)
    text = pdf_text(data)
    for part in ("Trần Thị Ngọc Ánh, MD", "3.25 AMA PRA Category 1 Credit(s)™", "maximum of 14.00",
                 "commensurate with the extent of their participation", "Accredited by the ACCME",
                 "Serial CME-ABCDE-FGHJK-MNPQR-STVWX", "May 6–8, 2027"):
        assert part in text, part
    assert qr_texts(data, tmp_path) == [url]


def test_transcript_pdf_totals_valid_certificates_only():
    rows = [{"serial": "CME-1", "status": "valid", "c": CONTENT},
            {"serial": "CME-2", "status": "superseded", "c": CONTENT}]
    text = pdf_text(render_transcript("Ánh Trần", "anh@example.org", rows, "2027-06-01"))
    assert "CME transcript — Ánh Trần" in text and "Serial CME-2 · superseded" in text
    assert "Total valid: 3.25 AMA PRA Category 1 Credit(s)™" in text


def test_cli_issues_and_renders_every_claimed_certificate(db, tmp_path, monkeypatch):
    async def prepare():
        from confops.demo.abs import load_demo
        await load_demo()
        await evaluated_and_claimed("morgan@example.org", credit="2.5")
        await evaluated_and_claimed("lena@example.org", codes=("P2",), credit="1")

    asyncio.run(prepare())
    for key, value in server_env(db.url, tmp_path / "var", "", TEST_SECRET).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CONFOPS_BASE_URL", "https://events.example.org")
    out = tmp_path / "certs"
    result = CliRunner().invoke(main, ["certificates", SLUG, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 certificates written" in result.output
    files = sorted(out.glob("*.pdf"))
    serials = {r["serial"] for r in Certificate.select(Certificate.serial).run_sync()}
    assert {f.stem for f in files} == serials and len(files) == 2
    texts = [pdf_text(f.read_bytes()) for f in files]
    assert any("2.50 AMA PRA Category 1" in t for t in texts) and any("1.00 AMA PRA Category 1" in t for t in texts)
    again = CliRunner().invoke(main, ["certificates", SLUG, "--out", str(out)])
    assert again.exit_code == 0 and len(Certificate.select().run_sync()) == 2  # unchanged claims: no re-issue
    missing = CliRunner().invoke(main, ["certificates", "no-such-event", "--out", str(out)])
    assert missing.exit_code != 0 and "no such event" in missing.output.lower()
    assert json.loads(Certificate.select(Certificate.content).run_sync().pop()["content"])["activity"]


def test_a_large_batch_is_rendered_by_several_processes_each_certificate_its_own(tmp_path):
    from confops.cme.batch import render_all
    from confops.cme.certificates import canonical
    from confops.documents.pdf_signing import verify_pdf
    from tests.cme.signing_support import throwaway_signer

    rows = [{"serial": f"CME-{i:05d}", "content": canonical({**CONTENT, "learner": f"Learner {i} Ánh"})}
            for i in range(6)]
    done = []
    signer, public_key = throwaway_signer()
    assert render_all(rows, tmp_path, "https://events.example.org", on_done=done.append, workers=2,
                      signer=signer) == 6
    assert done == rows  # progress in the rows' order
    for row in rows:
        data = (tmp_path / f"{row['serial']}.pdf").read_bytes()
        assert verify_pdf(data, [public_key]).verdict == "valid"  # signed in the forked workers too
        text = pdf_text(data)
        i = int(row["serial"][-5:])
        assert f"Learner {i} Ánh, MD" in text and f"Serial {row['serial']}" in text

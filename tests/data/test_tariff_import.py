"""The tariff import: every bad cell named, nothing written unless the whole file is clean."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.data.test_importers import csv, hei_user, load_examples, rejected, run, where
from tracker.access import AccessDenied
from tracker.models import AuditLog, TariffRate

HEADER = "financial_year,profession_group,programme,rate,unit,weeks_per_year,source\n"


def test_a_file_with_any_bad_row_is_refused_whole_with_every_problem(engine: Engine) -> None:
    load_examples(engine, upto="tariff")
    report = rejected(
        engine,
        "tariff",
        csv(
            HEADER
            + "2027/28,nursing,,5600,year,52,DHSC 2027/28\n"  # fine on its own
            + "2026/2027,nursing,,5600,year,52,x\n"
            + "2026/28,midwifery,,5600,year,52,x\n"
            + "2026/27,dentistry,,-3,fortnight,,x\n"
            + "2026/27,nursing,BSC-PHYSIO,100,week,52,x\n"
            + "2026/27,midwifery,,5000,year,,\n"
            + "2027/28,nursing,,5600,year,52,again"
        ),
    )
    assert where(report) == {
        (3, "financial_year"),  # not YYYY/YY
        (4, "financial_year"),  # 2026/28 is no financial year
        (5, "profession_group"),
        (5, "rate"),
        (5, "unit"),
        (6, "programme"),  # a physiotherapy programme under nursing
        (6, "weeks_per_year"),  # weeks only for a yearly rate
        (7, "weeks_per_year"),  # a yearly rate needs its weeks
        (7, "source"),
        (8, "financial_year"),  # the same year and group twice
    }
    with Session(engine) as session:
        assert len(session.exec(select(TariffRate)).all()) == 4  # the examples only


def test_reimporting_a_rate_changes_it_in_place_and_audits_old_and_new(engine: Engine) -> None:
    load_examples(engine, upto="tariff")
    report = run(engine, "tariff", csv(HEADER + "2026/27,nursing,,5500,year,52,DHSC 2026/27"))
    assert (report.added, report.changed) == (0, 1)
    with Session(engine) as session:
        rate = session.exec(
            select(TariffRate).where(
                TariffRate.financial_year == "2026/27", TariffRate.profession_group == "nursing"
            )
        ).one()
        assert (rate.rate, rate.source) == (5500, "DHSC 2026/27")
        audit = session.exec(select(AuditLog).order_by(AuditLog.id.desc())).first()  # type: ignore[union-attr]
        assert audit is not None and audit.entity == "tariff"
        assert audit.old == {
            "changes": {
                "2026/27/nursing": {"rate": 5459.0, "source": "Illustrative rate for tests"}
            }
        }


def test_a_programme_rate_sits_beside_its_groups_rate(engine: Engine) -> None:
    load_examples(engine, upto="tariff")
    with Session(engine) as session:
        ahp = session.exec(select(TariffRate).where(TariffRate.profession_group == "ahp")).all()
    assert sorted((r.programme_id is None, r.rate) for r in ahp) == [(False, 110), (True, 105)]


def test_heis_may_not_import_the_tariff(engine: Engine) -> None:
    load_examples(engine, upto="tariff")
    with pytest.raises(AccessDenied):
        run(engine, "tariff", csv(HEADER), hei_user(engine))

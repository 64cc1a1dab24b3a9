"""Internal vs external per school: term marks against the ORT converted to the 5-point scale,
for the students with both, computed by hand for two small schools; the ORT averages the district
imported stand beside the mean scores."""
from datetime import date

from app.extensions import db
from app.models import Assessment, DistrictAverage, Mark
from tests.district.support import join, marks, rows


def _ort(school, scores, max_score=200.0, day=20):
    cls, subject = school.classes[0], school.subjects[0]
    assessment = Assessment(school_id=school.school.id, term_id=school.terms[3].id, class_id=cls.id,
                            subject_id=subject.id, kind="ort", date=date(2027, 5, day), max_score=max_score)
    db.session.add(assessment)
    db.session.flush()
    for student, score in zip(school.students[cls.id], scores):
        db.session.add(Mark(school_id=school.school.id, assessment_id=assessment.id, student_id=student.id,
                            score=score))
    db.session.commit()


def test_internal_and_external_per_school_by_hand(client, login, school):
    bravo = join(school, "bravo", class_size=4)
    marks(school, [5, 4, 3, 2, 5, 4])
    _ort(school, [150, 100, 50])  # students 1-3 of alpha's 7-А
    marks(bravo, [3, 3, 2, 5])
    _ort(bravo, [100])
    db.session.add(DistrictAverage(district_id=school.extra["district"].id, year_name="2026-2027", level="country",
                                   measure="ort", subject="Математика", value=112.4, n=51000))
    db.session.commit()
    login(school.user("district_specialist"))
    page = client.get("/district/external?year=2026-2027").get_data(as_text=True)
    table = rows(page)
    # alpha: term marks 5, 4, 3 -> 4.00; ORT 150, 100, 50 of 200 -> 2 + 3 * (0.75, 0.5, 0.25) = 4.25, 3.5, 2.75
    # -> 3.50; difference +0.50 (not beyond half a mark: not flagged); mean score 100.0.
    assert table["School alpha"] == ["3", "4.00", "3.50", "+0.50", "100.0"]
    # bravo: term mark 3; ORT 100 of 200 -> 3.50; difference -0.50; mean score 100.0.
    assert table["School bravo"] == ["1", "3.00", "3.50", "-0.50", "100.0"]
    assert table["Country"] == ["51000", "", "112.4"]
    assert 'badge bad' not in page
    # A gap beyond half a mark is flagged.
    _ort(school, [10, 10, 10], max_score=100.0, day=21)  # 2 + 0.3 = 2.30 each, averaged per student with the first
    page = client.get("/district/external?year=2026-2027").get_data(as_text=True)
    # alpha's students: (4.25 + 2.3) / 2, (3.5 + 2.3) / 2, (2.75 + 2.3) / 2 -> mean 2.90; 4.00 - 2.90 = +1.10.
    assert rows(page)["School alpha"][:4] == ["3", "4.00", "2.90", "+1.10"]
    assert 'badge bad' in page

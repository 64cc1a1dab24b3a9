"""The district domain: a district's schools side by side, its rating of schools, its staff and
schools (access: the one scope rule; periods: a year and term common to the schools; results,
figures, rating: the district pages' figures; staff: schools, directors and district staff;
demo: a demo district)."""

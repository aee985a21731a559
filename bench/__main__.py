"""`make bench` / `python -m bench`: run every benchmark."""

from bench import assembly, exam_day, reports

assembly.main()
exam_day.main()
reports.main()

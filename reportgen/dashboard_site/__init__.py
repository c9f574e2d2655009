"""The quarterly dashboard's static pages: ``pages.py`` decides what each page shows, ``svg.py`` draws
its line charts; the templates are in ``templates/dashboard/``."""

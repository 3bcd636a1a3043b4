"""hubcommunity: collection and analysis for the Hugging Face Hub reproduction book.

Data flows one way (see ``../shared/docs/DESIGN.md`` and ``CONTRIBUTING.md``)::

    Hub --collect--> raw snapshot --tables--> tidy tables --analysis--> results --> chapters

Modules, by stage: :mod:`~hubcommunity.snapshot`, :mod:`~hubcommunity.collect`,
:mod:`~hubcommunity.tables`, :mod:`~hubcommunity.analysis`,
:mod:`~hubcommunity.figures`, :mod:`~hubcommunity.results`, :mod:`~hubcommunity.cli`.
"""

__version__ = "0.1.0"

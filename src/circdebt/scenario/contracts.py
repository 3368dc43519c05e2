"""Names of the parts of a plant group's capacity price (docs/model.md §7).

The schema (:class:`~circdebt.scenario.schema.PlantGroup`) gives a capacity price either
by contract component, each with its own index, or by the legacy keys (a broad dollar
part and a rupee part); :mod:`circdebt.scenario.consistency` refuses a group that mixes
them; :mod:`circdebt.model.supply` computes the parts in the order of ``COMPONENTS``.
"""

from __future__ import annotations

from typing import Literal

#: The contract components of a capacity price (docs/model.md §7), as named in a hybrid
#: contract's ``paid_on_availability_pct`` (model/supply.py COMPONENTS, same order).
CapacityComponent = Literal["roe", "local_roe", "foreign_debt_principal", "foreign_debt_interest",
                            "local_debt_principal", "local_debt_interest", "foreign_om",
                            "local_om", "insurance"]

#: The legacy capacity prices (one broad dollar and one rupee part); their debt shares
#: (``cpp_*_debt_share_pct``) act only through them.
LEGACY_CAPACITY_KEYS = ("cpp_usd_per_kw_month", "cpp_pkr_per_kw_month")
#: The component prices, each with its own index (docs/model.md §7).
COMPONENT_CAPACITY_KEYS = (
    "roe_usd_per_kw_month", "local_roe_pkr_per_kw_month",
    "foreign_debt_principal_usd_per_kw_month", "foreign_debt_interest_usd_per_kw_month",
    "local_debt_principal_pkr_per_kw_month", "local_debt_interest_pkr_per_kw_month",
    "foreign_om_usd_per_kw_month", "local_om_pkr_per_kw_month", "insurance_usd_per_kw_month")
#: Component keys of debt, which need a ``debt_maturity``.
DEBT_COMPONENT_KEYS = ("foreign_debt_principal_usd_per_kw_month",
                       "foreign_debt_interest_usd_per_kw_month",
                       "local_debt_principal_pkr_per_kw_month",
                       "local_debt_interest_pkr_per_kw_month")

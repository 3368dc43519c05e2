"""T&D losses by class and the units bought for the sales (docs/model.md §6).

Each class's loss rate is the system loss times its ``loss_multiplier`` (bulk supply at
high voltage loses less); units purchased for sales S_c at loss rates l_c are
U = sum_c S_c / (1 - l_c). Arrays are (paths, classes) and (paths,).
"""

from __future__ import annotations

import numpy as np


def class_loss_multipliers(
    class_multiplier: np.ndarray, n_paths: int, sez_column: int, sez_multiplier: np.ndarray,
) -> np.ndarray:
    """Loss multipliers by class this month, the SEZ class's being the load-weighted
    multiplier of its zones (:func:`circdebt.model.sez.zone_loss_multiplier`). [1],
    (paths, classes)."""
    n_classes = np.shape(class_multiplier)[-1]
    multiplier = np.broadcast_to(class_multiplier, (n_paths, n_classes)).copy()
    multiplier[:, sez_column] = sez_multiplier
    return multiplier


def class_loss_rates(system_loss: np.ndarray | float, multiplier: np.ndarray) -> np.ndarray:
    """Each class's loss rate: system loss (paths,) or scalar x multiplier. [fraction],
    (paths, classes)."""
    return np.asarray(system_loss)[..., None] * multiplier


def generation_for_units_gwh(units_gwh: np.ndarray, transmission_loss: float) -> np.ndarray:
    """Generation needed for the units the distribution companies receive, with the
    transmission system losing ``transmission_loss`` of what is generated:
    G = U / (1 - t). [GWh], (paths,)."""
    return units_gwh / (1.0 - transmission_loss)


def delivered_gwh(generation_gwh: np.ndarray, transmission_loss: float) -> np.ndarray:
    """Units delivered to the distribution companies from a generation: G x (1 - t).
    [GWh], (paths,)."""
    return generation_gwh * (1.0 - transmission_loss)


def units_for_sales_gwh(sales_gwh: np.ndarray, class_loss: np.ndarray) -> np.ndarray:
    """Units purchased to deliver ``sales`` at the classes' loss rates:
    U = sum_c S_c / (1 - l_c). [GWh], (paths,)."""
    return (sales_gwh / (1.0 - class_loss)).sum(axis=1)


def seasonal_loss(annual_loss: np.ndarray | float, points: float) -> np.ndarray:
    """The month's system loss: the annual rate plus the calendar month's points (a
    fraction), between 0 and 0.95 (docs/model.md §6). [fraction], (paths,) or scalar."""
    return np.clip(np.asarray(annual_loss) + points, 0.0, 0.95)


def excess_losses_at_tariff_bn(
    units_gwh: np.ndarray, units_allowed_gwh: np.ndarray, recovered_bn: np.ndarray,
    sold_gwh: np.ndarray,
) -> np.ndarray:
    """The units lost above the allowed loss valued at the month's average tariff,
    (U - U*) x RR_passed / S: what they would have been billed at had they been sold,
    the Power Division's valuation in its cause tables (docs/model.md §16). [Rs bn],
    (paths,)."""
    average = np.divide(recovered_bn, sold_gwh, out=np.zeros_like(recovered_bn),
                        where=sold_gwh > 0)
    return (units_gwh - units_allowed_gwh) * average

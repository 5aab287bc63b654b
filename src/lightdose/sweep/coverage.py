"""A plan's population coverage on a Dask cluster: the virtual people's target doses computed in blocks on the
workers and put back in the people's order.

Why it is identical to the plan made in one process: the people are drawn once, in the client, from the scenario's
seed (:func:`~lightdose.anatomy.population.sample_people`); a person's target dose depends on that person alone
(:func:`~lightdose.planning.coverage.target_doses`), so a block computed on any worker, or again after a worker was
lost, gives the same numbers; the blocks are joined in order. The rest of the coverage — who breaks a thermal limit
(a few dozen bioheat runs chosen one after another), the fractions and percentiles — runs in the client, as in one
process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from lightdose.anatomy import LayerStack
from lightdose.anatomy.population import VirtualPeople
from lightdose.errors import InputError
from lightdose.parameters import ParameterSet
from lightdose.planning.coverage import PeopleDoses, Progress, target_doses
from lightdose.sweep.cluster import shared
from lightdose.transport.skin_beam import SkinBeam

if TYPE_CHECKING:
    from distributed import Client, Future

BLOCK_PEOPLE = 500
"""People per task by default (a second or two on one core): enough tasks for every worker of a cluster once the
population is large, few enough that the scheduler's few milliseconds per task do not count."""

_Common = tuple[LayerStack, SkinBeam, float, ParameterSet]


def _block_doses(people: VirtualPeople, common: _Common) -> NDArray[np.float64]:
    stack, beam, exposure_s, parameters = common
    return target_doses(people, stack, beam, exposure_s, parameters)


def dask_people_doses(client: Client, block_people: int = BLOCK_PEOPLE) -> PeopleDoses:
    """A :data:`~lightdose.planning.coverage.PeopleDoses` that computes the doses on `client`'s cluster, in tasks of
    `block_people` people (pass it to :func:`lightdose.planning.plan` as ``people_doses``)."""
    if not 1 <= block_people <= 10**6:
        raise InputError("block_people", f"{block_people!r} must be in [1, 1000000]")

    def doses(people: VirtualPeople, stack: LayerStack, beam: SkinBeam, exposure_s: float,
              parameters: ParameterSet, progress: Progress | None = None) -> NDArray[np.float64]:
        from distributed import as_completed

        n = len(people)
        common = shared(client, (stack, beam, exposure_s, parameters))
        futures: list[Future[NDArray[np.float64]]] = [
            client.submit(_block_doses, people.block(start, start + block_people), common, pure=False)
            for start in range(0, n, block_people)]
        where = {future.key: k for k, future in enumerate(futures)}
        blocks: dict[int, NDArray[np.float64]] = {}
        done = 0
        if progress is not None:
            progress(0, n)
        try:
            for future in as_completed(futures):
                block = future.result()
                blocks[where[future.key]] = block
                future.release()
                done += block.size
                if progress is not None:
                    progress(done, n)
        finally:
            client.cancel(futures)
            client.cancel([common])
        return np.concatenate([blocks[k] for k in range(len(futures))])

    return doses


__all__ = ["BLOCK_PEOPLE", "dask_people_doses"]

"""The engine's side of service tasks and of the case diagram: plain data, no database."""

import pytest

from casemgr import engine
from tests.functional.bpmn import chain, service_task


def run(params, data=None):
    parsed = engine.parse_bpmn(chain(service_task("work", "notify", params)))
    workflow = engine.new_workflow(parsed, data or {})
    marker = engine.completed_marker(workflow)
    engine.run(workflow)
    return workflow, marker


def test_a_service_task_is_reported_with_its_kind_and_evaluated_parameters():
    workflow, marker = run({"message": "'overdue'", "to": "recipient"}, {"recipient": "reporter"})

    [effect] = engine.snapshot(workflow, marker).effects

    assert (effect.effect, effect.bpmn_id, effect.is_service) == ("notify", "work", True)
    assert effect.params == {"message": "overdue", "to": "reporter"}
    assert effect.task_id
    # Reported once: the next snapshot, from a later marker, has nothing new.
    assert engine.snapshot(workflow, engine.completed_marker(workflow)).effects == []


def test_a_parameter_the_engine_cannot_hand_on_stops_the_process_at_the_task():
    # A function is no plain value: the request cannot be stored.
    with pytest.raises(engine.EngineError) as stalled:
        run({"message": "now_iso"})

    assert stalled.value.bpmn_id == "work"
    assert "service task failed" in str(stalled.value)


def test_progress_follows_the_path_through_a_service_task():
    workflow, _marker = run({"message": "'overdue'"})

    progress = engine.progress(workflow)

    assert progress.completed == ["start", "work", "end"]
    assert progress.current == []
    assert progress.taken == [["start", "work"], ["work", "end"]]

"""0.11 callbacks (state hooks, decorators, loggers), completed 0.8-0.10 callbacks, legacy resume,
several optimizers, amp_min_loss_scale."""

import os

import pytest
import torch

import nemo
from nemo.backends.pytorch.checkpoint import CheckpointError
from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer, TaylorNet
from nemo.core.callbacks import on_batch_end, on_step_end

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def _factory(tmp_path, **kwargs):
    return nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, log_dir=str(tmp_path / "log"),
                                         random_seed=0, **kwargs)


def _graph(n=32, batch_size=8, dim=4):
    dl, net = RealFunctionDataLayer(n=n, batch_size=batch_size), TaylorNet(dim=dim)
    x, y = dl()
    return MSELoss()(predictions=net(x=x), target=y), net


def _scalars(folder):
    accumulator = event_accumulator.EventAccumulator(str(folder))
    accumulator.Reload()
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}


def test_state_callbacks_decorators_and_mixing_old_with_new(tmp_path):
    nf = _factory(tmp_path)
    loss, _ = _graph()
    loss.rename("mse")
    seen = []

    class Hooks(nemo.core.NeMoCallback):
        tensors_to_log = ["mse"]

        def on_action_start(self, state):
            seen.append(("action_start", state["step"]))

        def on_epoch_start(self, state):
            seen.append(("epoch_start", state["epoch"]))

        def on_step_start(self, state):
            seen.append(("step_start", state["step"]))

        def on_step_end(self, state):
            value = state["tensors"].get_tensor("mse")
            assert torch.equal(value, state["tensors"].get_tensor(loss))
            seen.append(("step_end", state["step"], float(value)))
            assert state["optimizers"][0] is nf.get_trainer().optimizer

    batches = []
    old_style = []

    class Old(nemo.core.ActionCallback):
        def on_iteration_end(self):
            old_style.append(self.step)

    nf.train([loss], callbacks=[Hooks(), on_batch_end(lambda state: batches.append(state["step"])), Old()],
             optimization_params={"max_steps": 3, "lr": 0.01})
    assert seen[:3] == [("action_start", 0), ("epoch_start", 0), ("step_start", 0)]
    assert [s[1] for s in seen if s[0] == "step_end"] == [1, 2, 3]
    assert all(s[2] > 0 for s in seen if s[0] == "step_end")
    assert batches == [0, 1, 2] and old_style == [1, 2, 3]


def test_simple_and_tensorboard_loggers(tmp_path):
    nf = _factory(tmp_path, create_tb_writer=True)
    loss, _ = _graph()
    logs = []

    @on_step_end
    def collect(state):
        logs.append(state["step"])

    callbacks = [nemo.core.SimpleLogger(step_freq=2, tensors_to_log=["loss"]),
                 nemo.core.TensorboardLogger(nf.tb_writer, step_freq=1, tensors_to_log=["loss"]), collect]
    nf.train([loss], callbacks=callbacks, optimization_params={"max_steps": 4, "lr": 0.01})
    nf.tb_writer.close()
    assert "Step: 2; loss:" in (tmp_path / "log" / "log_globalrank-0.txt").read_text()
    scalars = _scalars(tmp_path / "log" / "tensorboard")
    assert [step for step, _ in scalars["loss"]] == [1, 2, 3, 4]
    assert scalars["param/lr"][0][1] == pytest.approx(0.01) and "misc/epoch_time" in scalars
    assert logs == [1, 2, 3, 4]
    with pytest.raises(KeyError, match=r"tensors_to_log \['nope'\] are not in the train DAG"):
        nf.train([loss], reset=True, callbacks=[nemo.core.SimpleLogger(tensors_to_log=["nope"])],
                 optimization_params={"max_steps": 1, "lr": 0.01})


def test_wandb_logger_says_what_is_missing():
    try:
        import wandb  # noqa: F401
        pytest.skip("wandb is installed here")
    except ImportError:
        pass
    with pytest.raises(ImportError, match="pip install wandb"):
        nemo.core.WandBLogger()


def test_old_callbacks_single_tensor_lr_time_and_evaluator_options(tmp_path):
    nf = _factory(tmp_path, create_tb_writer=True)
    loss, net = _graph()
    dl_eval = RealFunctionDataLayer(n=8, batch_size=4)
    x_e, y_e = dl_eval()
    loss_e = MSELoss()(predictions=net(x=x_e), target=y_e)
    written = []

    def done(global_vars):
        return {"eval_loss": sum(global_vars["losses"]) / len(global_vars["losses"])}

    evaluator = nemo.core.EvaluatorCallback(
        [loss_e], lambda t, g: g.setdefault("losses", []).extend(float(v) for v in t[loss_e.unique_name]), done,
        eval_step=2, eval_at_start=True, tb_writer_func=lambda writer, results, step: written.append(step))
    logger = nemo.core.SimpleLossLoggerCallback(loss, step_freq=2)  # a single tensor
    nf.train([loss], callbacks=[logger, evaluator], optimization_params={"max_steps": 4, "lr": 0.01})
    nf.tb_writer.close()
    assert written == [0, 2, 4]  # at the start, every 2 steps
    scalars = _scalars(tmp_path / "log" / "tensorboard")
    assert [s for s, _ in scalars["param/lr"]] == [1, 2, 4] and len(scalars["misc/step_time"]) == 3


def test_checkpoint_callback_resumes_from_its_own_folder_by_default(tmp_path):
    folder = str(tmp_path / "ck")
    nf = _factory(tmp_path / "a")
    loss, _ = _graph()
    nf.train([loss], callbacks=[nemo.core.CheckpointCallback(folder, step_freq=2)],
             optimization_params={"max_steps": 3, "lr": 0.01})
    nf2 = _factory(tmp_path / "b")
    loss2, _ = _graph()
    nf2.train([loss2], callbacks=[nemo.core.CheckpointCallback(folder, step_freq=2)],
              optimization_params={"max_steps": 5, "lr": 0.01})
    log = (tmp_path / "b" / "log" / "log_globalrank-0.txt").read_text()
    assert "Restored checkpoint step 3" in log and nf2.get_trainer().step == 5


def test_released_module_files_give_weights_and_start_at_step_zero(tmp_path):
    released = tmp_path / "released"
    source = TaylorNet(dim=4)
    os.makedirs(released)
    source.save_to(str(released / "TaylorNet-EPOCH-7.pt"))
    nf = _factory(tmp_path)
    loss, net = _graph()
    seen = []

    class Before(nemo.core.ActionCallback):
        def on_iteration_start(self):
            if not seen:
                seen.append([p.detach().clone() for p in net.parameters()])

    nf.train([loss], callbacks=[nemo.core.CheckpointCallback(None, load_from_folder=str(released)), Before()],
             optimization_params={"max_steps": 1, "lr": 0.01})
    assert all(torch.equal(a, b) for a, b in zip(seen[0], source.parameters()))
    assert "starting at step 0" in (tmp_path / "log" / "log_globalrank-0.txt").read_text()


def test_trainer_file_of_another_optimizer_refused_or_weights_only(tmp_path):
    folder = str(tmp_path / "ck")
    nf = _factory(tmp_path / "a")
    loss, trained = _graph()
    nf.train([loss], optimizer="adam", callbacks=[nemo.core.CheckpointCallback(folder, step_freq=2)],
             optimization_params={"max_steps": 2, "lr": 0.01})
    nf2 = _factory(tmp_path / "b")
    loss2, net2 = _graph()
    with pytest.raises(CheckpointError, match=r"trainer-STEP-2.pt: holds 1 optimizer state.*force_load=True"):
        _train_with_other_optimizer(nf2, loss2, folder)
    _train_with_other_optimizer(nf2, loss2, folder, force_load=True)
    assert nf2.get_trainer().step == 1  # weights only: started at step 0


def _train_with_other_optimizer(nf, loss, folder, force_load=False):
    plain = torch.optim.SGD(nf.get_trainer()._collect_params([loss]), lr=0.01)  # no per-weight state: unlike adam
    extra = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.01)
    nf.train(optimizer=[(plain, [loss]), (extra, [loss])], reset=True,
             callbacks=[nemo.core.CheckpointCallback(None, load_from_folder=folder, force_load=force_load)],
             optimization_params={"max_steps": 1, "lr": 0.01})


def test_module_saver_unfreeze_and_value_setter(tmp_path):
    nf = _factory(tmp_path)
    loss, net = _graph(n=16, batch_size=8)
    net.freeze()
    before = [p.detach().clone() for p in net.parameters()]
    frozen_after_epoch0 = []

    class Watch(nemo.core.ActionCallback):
        def on_epoch_end(self):
            if self.epoch_num == 0:
                frozen_after_epoch0.append(all(torch.equal(a, b) for a, b in zip(before, net.parameters())))

    net.scale = 1.0
    setter = nemo.core.ValueSetterCallback(
        net, "scale", [nemo.core.ValueSetterCallback.Policy(nemo.core.ValueSetterCallback.Linear(0.0, 1.0), 0.0, 1.0)],
        total_steps=4)
    saver = nemo.core.ModuleSaverCallback([net], step_freq=2, folder=str(tmp_path / "saved"))
    nf.train([loss], callbacks=[nemo.core.UnfreezeCallback([net], start_epoch=1), Watch(), setter, saver],
             optimization_params={"num_epochs": 2, "lr": 0.01})
    assert frozen_after_epoch0 == [True]
    assert not all(torch.equal(a, b) for a, b in zip(before, net.parameters()))  # trained in epoch 1
    assert net.scale == pytest.approx(0.75)  # set before step 4 (step index 3 of 4)
    assert sorted(os.listdir(tmp_path / "saved")) == ["TaylorNet-STEP-2.pt", "TaylorNet-STEP-4.pt"]


def test_several_optimizers_step_in_turn_like_a_hand_loop(tmp_path):
    def graph():
        torch.manual_seed(1)
        dl = RealFunctionDataLayer(n=16, batch_size=8)
        a, b = TaylorNet(dim=3), TaylorNet(dim=2)
        x, y = dl()
        return dl, a, b, MSELoss()(predictions=a(x=x), target=y), MSELoss()(predictions=b(x=x), target=y)

    nf = _factory(tmp_path)
    dl, a, b, loss_a, loss_b = graph()
    opt_a = nf.create_optimizer("sgd", [a], {"lr": 0.01, "momentum": 0.0})
    opt_b = nf.create_optimizer("adam", [b], {"lr": 0.01})
    nf.train(optimizer=[(opt_a, [loss_a]), (opt_b, [loss_b])], optimization_params={"max_steps": 4, "lr": 0.01})
    _, ha, hb, _, _ = graph()
    hand_a, hand_b = torch.optim.SGD(ha.parameters(), lr=0.01), torch.optim.Adam(hb.parameters(), lr=0.01)
    x, y = dl.dataset.tensors
    for step in range(4):
        index = slice(8 * (step % 2), 8 * (step % 2) + 8)
        for net, optimizer in ((ha, hand_a), (hb, hand_b)):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(net(x=x[index]), y[index]).backward()
            optimizer.step()
    for mine, hand in ((a, ha), (b, hb)):
        for p, q in zip(mine.parameters(), hand.parameters()):
            torch.testing.assert_close(p, q)


@pytest.mark.skipif(not torch.amp.GradScaler("cpu").is_enabled(), reason="no fp16 GradScaler on CPU")
def test_amp_min_loss_scale_is_honoured(tmp_path):
    nf = _factory(tmp_path, optimization_level="O1")
    loss, _ = _graph()
    nf.train([loss], amp_dtype=torch.float16, amp_max_loss_scale=2.0**4, amp_min_loss_scale=2.0**2,
             optimization_params={"max_steps": 4, "lr": 1e9})  # diverges: every step overflows after the first
    assert nf.get_trainer().precision.scaler.get_scale() == 2.0**2

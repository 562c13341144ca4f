"""Factory actions: train, eval, infer, callbacks, checkpoints, logs."""

import glob
import os

import pytest
import torch

import nemo
from nemo.backends.pytorch import NonTrainableNM
from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer, TaylorNet
from nemo.core.neural_types import ChannelType, NeuralType


def _factory(tmp_path, **kwargs):
    return nemo.core.NeuralModuleFactory(placement=nemo.core.DeviceType.CPU, log_dir=str(tmp_path / "log"), **kwargs)


def _graph(n=64, batch_size=16, shuffle=False, dim=4):
    dl = RealFunctionDataLayer(n=n, batch_size=batch_size, shuffle=shuffle)
    net = TaylorNet(dim=dim)
    loss_nm = MSELoss()
    x, y = dl()
    pred = net(x=x)
    return dl, net, loss_nm(predictions=pred, target=y), pred, x, y


class ModeProbe(NonTrainableNM):
    """Records (training flag, grad enabled) per call. Ports: ``x`` → ``x``."""

    def __init__(self, name=None):
        super().__init__(name=name)
        self.seen = []

    @property
    def input_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    @property
    def output_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType())}

    def forward(self, x):
        self.seen.append((self.training, torch.is_grad_enabled()))
        return x


def test_train_lowers_loss_and_counts_steps(tmp_path):
    nf = _factory(tmp_path, random_seed=1)
    dl, net, loss, pred, x, y = _graph(n=256, batch_size=32, shuffle=True)
    before = nf.infer([loss])[0]
    nf.train([loss], optimizer="adam", optimization_params={"num_epochs": 15, "lr": 0.02})
    after = nf.infer([loss])[0]
    assert nf.get_trainer().step == 15 * 8
    assert sum(a.item() for a in after) < 0.5 * sum(b.item() for b in before)


def test_max_steps_stops_exactly(tmp_path):
    nf = _factory(tmp_path)
    *_, loss = _graph()[:3]
    nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 7, "lr": 0.01})
    assert nf.get_trainer().step == 7


def test_missing_stop_condition_and_unknown_optimizer(tmp_path):
    nf = _factory(tmp_path)
    loss = _graph()[2]
    with pytest.raises(ValueError, match="num_epochs"):
        nf.train([loss], optimizer="sgd", optimization_params={"lr": 0.1})
    with pytest.raises(ValueError, match="adam"):
        nf.train([loss], optimizer="no-such-opt", optimization_params={"max_steps": 1})


def test_modes_during_train_and_infer_restored(tmp_path):
    nf = _factory(tmp_path)
    dl = RealFunctionDataLayer(n=16, batch_size=8)
    probe, net = ModeProbe(), TaylorNet(dim=2)
    x, y = dl()
    loss = MSELoss()(predictions=net(x=probe(x=x)), target=y)
    probe.eval()
    nf.train([loss], optimizer="sgd", optimization_params={"max_steps": 2, "lr": 0.01})
    assert probe.seen == [(True, True), (True, True)]
    assert probe.training is False
    probe.seen.clear()
    nf.infer([loss])
    assert probe.seen == [(False, False), (False, False)]


def test_infer_returns_per_batch_values(tmp_path):
    nf = _factory(tmp_path)
    dl, net, loss, pred, x, y = _graph(n=40, batch_size=16)
    xs, preds = nf.infer([x, pred])
    assert [t.shape for t in xs] == [(16, 1), (16, 1), (8, 1)]
    all_x = torch.cat(xs)
    assert torch.equal(all_x, dl.dataset.tensors[0])
    with torch.no_grad():
        assert torch.allclose(torch.cat(preds), net.forward(all_x))


def test_callbacks_see_values_and_hooks_order(tmp_path):
    nf = _factory(tmp_path)
    dl, net, loss, pred, x, y = _graph(n=32, batch_size=8)
    events, printed = [], []

    class Recorder(nemo.core.ActionCallback):
        def on_action_start(self):
            events.append("action_start")

        def on_epoch_start(self):
            events.append(f"epoch_start{self.epoch_num}")

        def on_iteration_end(self):
            events.append(f"it{self.step}")

        def on_epoch_end(self):
            events.append(f"epoch_end{self.epoch_num}")

        def on_action_end(self):
            events.append("action_end")

    logger_cb = nemo.core.SimpleLossLoggerCallback(tensors=[loss, pred], print_func=printed.append, step_freq=3)
    nf.train([loss], callbacks=[Recorder(), logger_cb], optimizer="sgd",
             optimization_params={"num_epochs": 2, "lr": 0.01})
    assert events == ["action_start", "epoch_start0", "it1", "it2", "it3", "it4", "epoch_end0",
                      "epoch_start1", "it5", "it6", "it7", "it8", "epoch_end1", "action_end"]
    assert len(printed) == 3  # steps 1, 3, 6
    assert printed[0][1].shape == (8, 1) and printed[0][0].dim() == 0


def test_evaluator_gets_lists_keyed_by_unique_name(tmp_path):
    nf = _factory(tmp_path, create_tb_writer=True)
    _, _, loss, *_ = _graph(n=32, batch_size=8)
    dl_e = RealFunctionDataLayer(n=10, batch_size=4)
    net_e = TaylorNet(dim=4)
    x_e, y_e = dl_e()
    loss_e = MSELoss(name="evalloss")(predictions=net_e(x=x_e), target=y_e)
    seen_keys, evaluations = set(), []

    def per_batch(tensors, global_vars):
        seen_keys.update(tensors)
        for key, values in tensors.items():
            assert isinstance(values, list)
            global_vars.setdefault("n", 0)
            global_vars["n"] += 1

    def done(global_vars):
        evaluations.append(global_vars["n"])
        return {"eval_batches": global_vars["n"]}

    evaluator = nemo.core.EvaluatorCallback(eval_tensors=[loss_e], user_iter_callback=per_batch,
                                            user_epochs_done_callback=done, eval_step=2)
    nf.train([loss], callbacks=[evaluator], optimizer="sgd", optimization_params={"max_steps": 4, "lr": 0.01})
    assert seen_keys == {"loss~~~evalloss"}
    assert evaluations == [3, 3]  # steps 2 and 4, 3 batches each
    assert nf.eval([evaluator]) == [{"eval_batches": 3}]
    nf.tb_writer.flush()
    assert glob.glob(str(tmp_path / "log" / "tensorboard" / "events.out.tfevents.*"))


def test_checkpoint_names_and_resume_at_saved_step(tmp_path):
    ckpt = str(tmp_path / "ckpt")
    nf = _factory(tmp_path)
    _, net, loss, *_ = _graph(n=32, batch_size=8)
    saver = nemo.core.CheckpointCallback(folder=ckpt, step_freq=3, checkpoints_to_keep=2)
    nf.train([loss], callbacks=[saver], optimizer="adam", optimization_params={"num_epochs": 2, "lr": 0.01})
    names = sorted(os.listdir(ckpt))
    assert names == ["TaylorNet-STEP-6.pt", "TaylorNet-STEP-8.pt", "trainer-STEP-6.pt", "trainer-STEP-8.pt"]
    state = torch.load(os.path.join(ckpt, "trainer-STEP-8.pt"), weights_only=True)
    assert state["step"] == 8 and state["epoch"] == 2

    nf2 = _factory(tmp_path / "second")
    _, net2, loss2, *_ = _graph(n=32, batch_size=8)
    restorer = nemo.core.CheckpointCallback(folder=ckpt, load_from_folder=ckpt, step_freq=100)
    steps = []

    class Steps(nemo.core.ActionCallback):
        def on_action_start(self):
            steps.append(("start", self.step, self.epoch_num))

    nf2.train([loss2], callbacks=[restorer, Steps()], optimizer="adam",
              optimization_params={"num_epochs": 3, "lr": 0.01})
    assert steps == [("start", 8, 2)]
    assert nf2.get_trainer().step == 12


def test_save_removes_temporaries_of_a_killed_save(tmp_path):
    ckpt = tmp_path / "ck"
    ckpt.mkdir()
    stale = ckpt / ".TaylorNet-STEP-3.pt.abc123.tmp"
    stale.write_bytes(b"half a checkpoint")
    nf = _factory(tmp_path)
    loss = _graph(n=16, batch_size=8)[2]
    nf.train([loss], callbacks=[nemo.core.CheckpointCallback(folder=str(ckpt), step_freq=2)], optimizer="sgd",
             optimization_params={"max_steps": 2, "lr": 0.01})
    assert sorted(os.listdir(ckpt)) == ["TaylorNet-STEP-2.pt", "trainer-STEP-2.pt"]


def test_two_modules_of_one_class_use_unique_names(tmp_path):
    nf = _factory(tmp_path)
    dl = RealFunctionDataLayer(n=16, batch_size=8)
    a, b = TaylorNet(dim=2, name="first"), TaylorNet(dim=2, name="second")
    x, y = dl()
    loss = MSELoss()(predictions=b(x=a(x=x)), target=y)
    ckpt = str(tmp_path / "ck")
    nf.train([loss], callbacks=[nemo.core.CheckpointCallback(folder=ckpt, step_freq=2)], optimizer="sgd",
             optimization_params={"max_steps": 2, "lr": 0.01})
    assert sorted(os.listdir(ckpt)) == ["first-STEP-2.pt", "second-STEP-2.pt", "trainer-STEP-2.pt"]


def test_infer_restores_from_checkpoint_dir(tmp_path):
    nf = _factory(tmp_path)
    _, net, loss, pred, *_ = _graph(n=16, batch_size=8)
    ckpt = str(tmp_path / "ck")
    nf.train([loss], callbacks=[nemo.core.CheckpointCallback(folder=ckpt, step_freq=2)], optimizer="sgd",
             optimization_params={"max_steps": 2, "lr": 0.1})
    expected = nf.infer([pred])[0]
    with torch.no_grad():
        for p in net.parameters():
            p.zero_()
    restored = nf.infer([pred], checkpoint_dir=ckpt)[0]
    assert all(torch.equal(a, b) for a, b in zip(expected, restored))


def test_logs_text_and_files_to_copy(tmp_path):
    script = tmp_path / "my_script.py"
    script.write_text("print('hi')\n")
    nf = _factory(tmp_path, files_to_copy=[str(script)])
    nf.logger.info("hello from the test")
    assert (tmp_path / "log" / "my_script.py").read_text() == "print('hi')\n"
    log_text = (tmp_path / "log" / "log_globalrank-0.txt").read_text()
    assert "hello from the test" in log_text


def test_factory_facts_and_string_levels(tmp_path):
    nf = _factory(tmp_path, optimization_level="O1")
    assert nf.optim_level == "O1"
    assert nf.world_size == 1 and nf.global_rank == 0
    assert nf.placement == nemo.core.DeviceType.CPU
    assert nf.sync_all_processes() is True
    with pytest.raises(ValueError, match="O0"):
        _factory(tmp_path, optimization_level="O7")


def test_create_optimizer_and_pass_instance(tmp_path):
    nf = _factory(tmp_path)
    _, net, loss, *_ = _graph(n=16, batch_size=8)
    optimizer = nf.create_optimizer("sgd", [net], {"lr": 0.5, "momentum": 0.9})
    assert optimizer.param_groups[0]["lr"] == 0.5
    before = [p.clone() for p in net.parameters()]
    nf.train([loss], optimizer=optimizer, optimization_params={"max_steps": 1})
    assert any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))


def test_lr_policy_sets_learning_rate(tmp_path):
    nf = _factory(tmp_path)
    loss = _graph(n=16, batch_size=8)[2]
    seen = []

    class LrSpy(nemo.core.ActionCallback):
        def on_iteration_end(self):
            seen.append(self.action.optimizer.param_groups[0]["lr"])

    policy = nemo.utils.lr_policies.get_lr_policy("CosineAnnealing", total_steps=4, min_lr=0.0)
    nf.train([loss], callbacks=[LrSpy()], lr_policy=policy, optimizer="sgd",
             optimization_params={"max_steps": 4, "lr": 1.0})
    assert seen == pytest.approx([policy(1.0, s, 0) for s in range(4)])
    assert seen[0] == pytest.approx(1.0) and seen[2] == pytest.approx(0.5)


class _PidDataset(torch.utils.data.Dataset):
    """Each sample is the id of the process that loaded it."""

    def __len__(self):
        return 8

    def __getitem__(self, index):
        return torch.tensor([float(os.getpid())]), torch.zeros(1)


class PidLayer(nemo.backends.pytorch.DataLayerNM):
    """Output ports: ``x`` (B, D) loader pids, ``y`` (B, D) zeros."""

    def __init__(self, name=None):
        super().__init__(name=name, batch_size=4, shuffle=False, num_workers=1)
        self._dataset = _PidDataset()

    @property
    def output_ports(self):
        return {"x": NeuralType(("B", "D"), ChannelType()), "y": NeuralType(("B", "D"), nemo.core.LabelsType())}

    @property
    def dataset(self):
        return self._dataset


def test_loader_workers_persist_across_epochs(tmp_path):
    nf = _factory(tmp_path)
    layer = PidLayer()
    x, y = layer()
    loss = MSELoss()(predictions=TaylorNet(dim=1)(x=x), target=y)
    pids = []

    class PidSpy(nemo.core.ActionCallback):
        tensors = [x]

        def on_iteration_end(self):
            pids.append(int(self.registered_tensors[x.unique_name][0].item()))

    nf.train([loss], callbacks=[PidSpy()], optimizer="sgd", optimization_params={"num_epochs": 3, "lr": 0.0})
    assert len(pids) == 6
    assert len(set(pids)) == 1 and pids[0] != os.getpid()


def test_infer_cache_reuses_loaded_batches(tmp_path):
    nf = _factory(tmp_path)
    dl, net, loss, pred, x, y = _graph(n=24, batch_size=8)
    first = nf.infer([x], cache=True)[0]
    dl.dataset.tensors[0].add_(100.0)  # the data changes, the cache does not
    cached = nf.infer([x], use_cache=True)[0]
    fresh = nf.infer([x])[0]
    assert all(torch.equal(a, b) for a, b in zip(first, cached))
    assert all(torch.equal(a + 100.0, b) for a, b in zip(first, fresh))


def test_checkpoint_callback_without_frequencies_only_restores(tmp_path, caplog):
    ckpt = tmp_path / "ck"
    with caplog.at_level("WARNING", logger="nemo"):
        nemo.logging.propagate = True
        try:
            callback = nemo.core.CheckpointCallback(folder=str(ckpt), load_from_folder=str(ckpt))
        finally:
            nemo.logging.propagate = False
    assert "no checkpoints will be saved" in caplog.text
    nf = _factory(tmp_path)
    loss = _graph(n=16, batch_size=8)[2]
    nf.train([loss], callbacks=[callback], optimizer="sgd", optimization_params={"max_steps": 2, "lr": 0.01})
    assert not ckpt.exists()


def test_legacy_get_module_and_clear_cache(tmp_path):
    nf = _factory(tmp_path)
    net = nf.get_module("TaylorNet", {"dim": 3}, "toys")
    assert isinstance(net, TaylorNet) and net.init_params["dim"] == 3
    with pytest.raises(ValueError, match="no module named"):
        nf.get_module("Nope", {}, "toys")
    with pytest.raises(ValueError, match="restore_from"):
        nf.get_module("TaylorNet", {"dim": 3}, "toys", pretrained=True)
    x = _graph(n=8, batch_size=8)[4]
    nf.infer([x], cache=True)
    nf.clear_cache()
    with pytest.raises(ValueError, match="cache=True"):
        nf.infer([x], use_cache=True)

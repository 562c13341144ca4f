"""Seeing the graph: DOT text, SVG/PNG through Graphviz, and TensorBoard's graph tab."""

import logging
import re
import shutil
import xml.etree.ElementTree as ElementTree

import pytest

import nemo
from nemo.backends.pytorch.tutorials import MSELoss, RealFunctionDataLayer, TaylorNet
from nemo.core import graph_drawing

HAS_DOT = shutil.which("dot") is not None


def _chained_graph():
    """Data layer → TaylorNet → the same TaylorNet again → MSELoss (target straight from the data layer)."""
    dl, net, loss_nm = RealFunctionDataLayer(n=32, batch_size=8), TaylorNet(dim=4), MSELoss()
    x, y = dl()
    pred = net(x=net(x=x))
    return dl, net, loss_nm, loss_nm(predictions=pred, target=y)


def _nodes_and_edges(dot_text):
    nodes = dict(re.findall(r'^  "([^"]+)" \[label="([^"]*)"', dot_text, re.M))
    edges = re.findall(r'^  "([^"]+)" -> "([^"]+)" \[label="([^"]*)"\]', dot_text, re.M)
    return nodes, edges


def test_dot_has_a_box_per_call_and_typed_port_edges(tmp_path):
    dl, net, loss_nm, loss = _chained_graph()
    drawn = nemo.core.draw_graph([loss], tmp_path / "g.dot")
    assert drawn.image_path is None and drawn.dot_path == str(tmp_path / "g.dot")
    text = (tmp_path / "g.dot").read_text()
    nodes, edges = _nodes_and_edges(text)
    first, second = net.name, f"{net.name}_call1"
    assert list(nodes) == [dl.name, first, second, loss_nm.name]
    assert nodes[second] == f"{net.name}\\nTaylorNet (call 2)"
    assert "requested: loss" in nodes[loss_nm.name]
    assert edges == [
        (dl.name, first, "x → x\\n(B, D) ChannelType"),
        (first, second, "y_pred → x\\n(B, D) ChannelType"),
        (second, loss_nm.name, "y_pred → predictions\\n(B, D) ChannelType"),
        (dl.name, loss_nm.name, "y → target\\n(B, D) LabelsType"),
    ]
    assert f'{{ rank=source; "{dl.name}"; }}' in text
    assert f'{{ rank=sink; "{loss_nm.name}"; }}' in text


def test_a_sub_graph_is_drawn_from_its_tensors_only(tmp_path):
    dl, net, loss_nm, loss = _chained_graph()
    x, _ = dl()
    pred = TaylorNet(dim=2, name="other")(x=x)
    nodes, edges = _nodes_and_edges(graph_drawing.graph_to_dot(pred))
    assert list(nodes) == [f"{dl.name}_call1", "other"]
    assert edges == [(f"{dl.name}_call1", "other", "x → x\\n(B, D) ChannelType")]
    assert "rank=sink" not in graph_drawing.graph_to_dot(pred)


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")
def test_svg_and_png_rendered_by_graphviz(tmp_path):
    _, net, loss_nm, loss = _chained_graph()
    drawn = nemo.core.draw_graph([loss], tmp_path / "graph.svg")
    assert drawn.image_path == str(tmp_path / "graph.svg") and (tmp_path / "graph.dot").exists()
    svg = ElementTree.parse(drawn.image_path).getroot()
    titles = [el.text for el in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert {net.name, f"{net.name}_call1", loss_nm.name} <= set(titles)
    texts = " ".join(el.text or "" for el in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "y_pred → predictions" in texts and "(B, D) LabelsType" in texts
    png = nemo.core.draw_graph(loss, tmp_path / "graph", fmt="png")
    assert png.image_path == str(tmp_path / "graph.png")
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_dot_writes_the_dot_file_and_says_so(tmp_path, monkeypatch):
    *_, loss = _chained_graph()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("nemo")
    logger.addHandler(handler)
    try:
        drawn = nemo.core.draw_graph([loss], tmp_path / "graph.svg")
    finally:
        logger.removeHandler(handler)
    assert drawn.image_path is None and not (tmp_path / "graph.svg").exists()
    assert (tmp_path / "graph.dot").read_text().startswith('digraph "nemo_graph"')
    assert "'dot' program not found" in drawn.message
    assert any(r.levelno == logging.WARNING and "dot -Tsvg" in r.getMessage() for r in records)


def test_bad_arguments_are_named(tmp_path):
    *_, loss = _chained_graph()
    with pytest.raises(ValueError, match="unknown format 'jpeg'"):
        nemo.core.draw_graph([loss], tmp_path / "g.jpeg")
    with pytest.raises(TypeError, match=r"tensors\[1\] is a str"):
        nemo.core.draw_graph([loss, "loss"], tmp_path / "g.dot")
    assert not list(tmp_path.iterdir())


def test_tensorboard_graph_tab_reads_back(tmp_path):
    event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    from tensorboardX import SummaryWriter

    dl, net, loss_nm, loss = _chained_graph()
    writer = SummaryWriter(str(tmp_path / "tb"))
    graph_drawing.add_graph_to_tensorboard([loss], writer)
    writer.close()
    accumulator = event_accumulator.EventAccumulator(str(tmp_path / "tb"))
    accumulator.Reload()
    assert accumulator.Tags()["graph"] is True
    nodes = {node.name: node for node in accumulator.Graph().node}
    assert list(nodes) == [dl.name, net.name, f"{net.name}_call1", loss_nm.name]
    assert [node.op for node in nodes.values()] == ["RealFunctionDataLayer", "TaylorNet", "TaylorNet", "MSELoss"]
    assert list(nodes[loss_nm.name].input) == [f"{net.name}_call1:0", f"{dl.name}:1"]
    assert nodes[loss_nm.name].attr["in:target"].s.decode() == f"y of {dl.name}: (B, D) LabelsType"
    assert len(nodes[dl.name].attr["_output_shapes"].list.shape) == 2

"""What the speech classification scripts share (commands, VAD, speakers): flags, model, DAGs, training."""

import json
import math
import os
from functools import partial

import torch

import nemo
import nemo_asr
from nemo.utils import NemoArgParser
from nemo.utils.lr_policies import PolynomialHoldDecayAnnealing
from nemo_asr.helpers import (
    monitor_classification_training_progress,
    process_classification_evaluation_batch,
    process_classification_evaluation_epoch,
    write_classification_results,
)
from ruamel.yaml import YAML

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "data"))
PREPROCESSORS = ("AudioToMFCCPreprocessor", "AudioToMelSpectrogramPreprocessor")
DECODERS = ("JasperDecoderForClassification", "JasperDecoderForSpkrClass")


def parse_args(description, default_config, train_dataset, eval_datasets, argv=None, **defaults):
    """Legacy flags of the classification scripts; the bundled samples are the default data."""
    parser = NemoArgParser(description=description)
    parser.set_defaults(model_config=os.path.join(HERE, "configs", default_config), train_dataset=train_dataset,
                        eval_datasets=eval_datasets, optimizer="novograd", batch_size=128, lr=0.05,
                        weight_decay=1e-3, create_tb_writer=True, eval_freq=200)
    parser.add_argument("--warmup_ratio", type=float, default=0.0, help="warmup steps as a fraction of all steps")
    parser.add_argument("--hold_ratio", type=float, default=0.0, help="steps at the peak lr as a fraction of all")
    parser.add_argument("--min_lr", type=float, default=1e-3, help="lr at the end of the polynomial decay")
    parser.add_argument("--print_freq", type=int, default=25, help="log the training loss every N steps")
    parser.add_argument("--synced_bn", action="store_true", help="synchronise batch norm across GPU processes")
    parser.add_argument("--synced_bn_groupsize", type=int, default=0, help="processes per synced BN group (0: all)")
    parser.set_defaults(**defaults)
    args = parser.parse_args(argv)
    if args.num_epochs is None and args.max_steps is None:
        parser.error("give --num_epochs or --max_steps")
    return args


def load_config(path):
    """The legacy classification YAML as a dict; names the file and what is missing."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"model config not found: {path}")
    with open(path) as handle:
        config = YAML(typ="safe").load(handle) or {}
    problems = []
    if "labels" not in config:
        problems.append("'labels'")
    if not any(key in config for key in PREPROCESSORS):
        problems.append(f"one of {list(PREPROCESSORS)}")
    if "JasperEncoder" not in config:
        problems.append("'JasperEncoder'")
    if not any(key in config for key in DECODERS):
        problems.append(f"one of {list(DECODERS)}")
    if problems:
        raise ValueError(f"{path}: missing section(s) {', '.join(problems)}")
    return config


def data_layer_params(config, split):
    """``AudioToSpeechLabelDataLayer`` arguments for ``split`` ('train'/'eval'): shared keys, then the split's."""
    section = dict(config.get("AudioToSpeechLabelDataLayer") or {})
    params = {k: v for k, v in section.items() if k not in ("train", "eval")}
    params.update(section.get(split) or {})
    params.setdefault("sample_rate", config.get("sample_rate", 16000))
    return params


class ClassificationModel:
    """Preprocessor, optional SpecAugment and crop-or-pad, Jasper encoder, classification or speaker
    decoder and loss, built from a legacy config. ``labels`` may override the config's classes."""

    def __init__(self, config, labels=None):
        self.config = config
        self.labels = list(labels if labels is not None else config["labels"])
        self.sample_rate = config.get("sample_rate", 16000)
        prep_name = next(key for key in PREPROCESSORS if key in config)
        prep_params = {"sample_rate": self.sample_rate, **config[prep_name]}
        self.preprocessor = getattr(nemo_asr, prep_name)(**prep_params)
        feat_in = prep_params.get("n_mfcc", 64) if prep_name == "AudioToMFCCPreprocessor" else prep_params.get(
            "features", 64)
        augment = config.get("SpectrogramAugmentation")
        self.spec_augment = nemo_asr.SpectrogramAugmentation(**augment) if augment else None
        crop = config.get("CropOrPadSpectrogramAugmentation")
        self.crop = nemo_asr.CropOrPadSpectrogramAugmentation(**crop) if crop else None
        self.encoder = nemo_asr.JasperEncoder(feat_in=feat_in, **config["JasperEncoder"])
        feat_out = config["JasperEncoder"]["jasper"][-1]["filters"]
        self.speaker = "JasperDecoderForSpkrClass" in config
        decoder_name = "JasperDecoderForSpkrClass" if self.speaker else "JasperDecoderForClassification"
        decoder_params = {k: v for k, v in (config.get(decoder_name) or {}).items() if k not in ("feat_in", "num_classes")}
        self.decoder = getattr(nemo_asr, decoder_name)(feat_in=feat_out, num_classes=len(self.labels), **decoder_params)
        if config.get("AngularSoftmaxLossNM") is not None:
            self.loss = nemo_asr.AngularSoftmaxLossNM(**config["AngularSoftmaxLossNM"])
        else:
            self.loss = nemo_asr.CrossEntropyLossNM()

    def features(self, data_layer, train):
        """DAG up to the decoder's input: ``encoded, encoded_len, label`` (SpecAugment in training only)."""
        audio, audio_len, label, _ = data_layer()
        spec, spec_len = self.preprocessor(input_signal=audio, length=audio_len)
        if train and self.spec_augment is not None:
            spec = self.spec_augment(input_spec=spec)
        if self.crop is not None:
            spec, spec_len = self.crop(input_signal=spec, length=spec_len)
        encoded, encoded_len = self.encoder(audio_signal=spec, length=spec_len)
        return encoded, encoded_len, label

    def dag(self, data_layer, train):
        """``loss, logits, label`` (plus ``embs`` last for a speaker model)."""
        encoded, encoded_len, label = self.features(data_layer, train)
        outputs = self.decoder(encoder_output=encoded, encoded_lengths=encoded_len)
        logits = outputs[0] if self.speaker else outputs
        loss = self.loss(logits=logits, labels=label)
        return (loss, logits, label, outputs[1]) if self.speaker else (loss, logits, label)

    def data_layer(self, manifest, batch_size, train, num_workers=None, labels=None, **overrides):
        """A data layer with the config's train/eval settings; ``labels`` defaults to the model's classes."""
        params = {**data_layer_params(self.config, "train" if train else "eval"), **overrides}
        return nemo_asr.AudioToSpeechLabelDataLayer(manifest_filepath=manifest, labels=labels or self.labels,
                                                    batch_size=batch_size, num_workers=num_workers, **params)


def manifest_labels(path):
    """Sorted distinct labels of a manifest (or comma-separated manifests)."""
    labels = set()
    for one in path.split(","):
        with open(one, encoding="utf-8") as handle:
            labels.update(json.loads(line)["label"] for line in handle if line.strip())
    return sorted(labels)


def manifest_tag(path):
    return os.path.basename(path).split(".")[0]


def sync_batch_norm(modules, args, world_size, logger):
    """Swap batch norms for ``SyncBatchNorm`` (GPU, several processes), per ``--synced_bn_groupsize``."""
    if not args.synced_bn:
        return
    if world_size < 2 or not torch.cuda.is_available():
        logger.warning("--synced_bn needs several GPU processes; keeping plain batch norm")
        return
    group = None
    if args.synced_bn_groupsize > 0:
        rank, size = torch.distributed.get_rank(), args.synced_bn_groupsize
        groups = [torch.distributed.new_group(list(range(s, min(s + size, world_size))))
                  for s in range(0, world_size, size)]
        group = groups[rank // size]
    for module in modules:
        module.core = torch.nn.SyncBatchNorm.convert_sync_batchnorm(module.core, process_group=group)


def train(args, script_file, labels=None):
    """Train on ``--train_dataset`` with one evaluation per ``--eval_datasets`` manifest; returns the factory."""
    log_dir = os.path.join(args.work_dir, args.exp_name) if args.work_dir else args.exp_name
    nf = nemo.core.NeuralModuleFactory(
        local_rank=args.local_rank, optimization_level=args.amp_opt_level, log_dir=log_dir,
        checkpoint_dir=args.checkpoint_dir, create_tb_writer=args.create_tb_writer,
        tensorboard_dir=args.tensorboard_dir, files_to_copy=[args.model_config, script_file],
        cudnn_benchmark=args.cudnn_benchmark, random_seed=args.random_seed)
    logger = nf.logger
    model = ClassificationModel(load_config(args.model_config), labels=labels)
    sync_batch_norm([model.encoder, model.decoder], args, nf.world_size, logger)
    logger.info(f"{model.config.get('model', 'model')} from {args.model_config}: encoder {model.encoder.num_weights}"
                f" weights, decoder {model.decoder.num_weights}; {len(model.labels)} classes")

    train_layer = model.data_layer(args.train_dataset, args.batch_size, train=True, num_workers=args.num_workers)
    loss, logits, label = model.dag(train_layer, train=True)[:3]
    callbacks = [
        nemo.core.SimpleLossLoggerCallback(
            tensors=[loss, logits, label], step_freq=args.print_freq,
            print_func=partial(monitor_classification_training_progress, eval_metric=[1], logger=logger)),
        nemo.core.CheckpointCallback(folder=nf.checkpoint_dir, load_from_folder=args.load_dir,
                                     step_freq=args.checkpoint_save_freq),
    ]
    for manifest in args.eval_datasets or []:
        eval_layer = model.data_layer(manifest, args.eval_batch_size or args.batch_size, train=False,
                                      num_workers=args.num_workers)
        callbacks.append(nemo.core.EvaluatorCallback(
            eval_tensors=list(model.dag(eval_layer, train=False)[:3]),
            user_iter_callback=partial(process_classification_evaluation_batch, top_k=[1]),
            user_epochs_done_callback=partial(process_classification_evaluation_epoch, tag=manifest_tag(manifest),
                                              labels=model.labels, logger=logger),
            tb_writer_func=partial(write_classification_results, labels=model.labels),
            eval_step=args.eval_freq))

    steps_per_epoch = math.ceil(len(train_layer) / (args.batch_size * nf.world_size * args.iter_per_step))
    epoch_steps = args.num_epochs * steps_per_epoch if args.num_epochs is not None else None
    total_steps = min(s for s in (args.max_steps, epoch_steps) if s is not None)
    policy = PolynomialHoldDecayAnnealing(total_steps=total_steps, warmup_ratio=args.warmup_ratio,
                                          hold_ratio=args.hold_ratio, min_lr=args.min_lr, power=2.0)
    params = {"num_epochs": args.num_epochs, "max_steps": args.max_steps, "lr": args.lr,
              "weight_decay": args.weight_decay}
    if args.beta1 is not None or args.beta2 is not None:
        params["betas"] = (args.beta1 or 0.95, args.beta2 or 0.5)
    nf.train(tensors_to_optimize=[loss], callbacks=callbacks, optimizer=args.optimizer, lr_policy=policy,
             optimization_params=params, batches_per_step=args.iter_per_step)
    logger.info(f"Checkpoints are in {nf.checkpoint_dir}")
    return nf, model

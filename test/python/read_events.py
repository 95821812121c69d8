"""Test helper: reads a TensorBoard event folder with the tensorboard package's own reader and
prints what it found as JSON (used by test/interopPython.test.ts; not part of vgrad)."""
import glob
import json
import math
import sys

from tensorboard.backend.event_processing import event_accumulator, plugin_event_accumulator
from tensorboard.compat.tensorflow_stub import errors, pywrap_tensorflow
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util


def num(x):
    return x if math.isfinite(x) else ('NaN' if math.isnan(x) else ('+Inf' if x > 0 else '-Inf'))


folder = sys.argv[1]
files = glob.glob(folder + '/events.out.tfevents.*')
# The record reader checks the length and data CRCs of every record (DataLossError otherwise).
records = 0
crc_error = None
reader = pywrap_tensorflow.PyRecordReader_New(files[0])
while True:
    try:
        reader.GetNext()
        records += 1
    except errors.OutOfRangeError:
        break
    except errors.DataLossError as error:
        crc_error = str(error)
        break
acc = event_accumulator.EventAccumulator(folder, size_guidance={'scalars': 0, 'histograms': 0, 'tensors': 0})
acc.Reload()
tags = acc.Tags()
out = {'files': len(files), 'records': records, 'crcError': crc_error, 'scalars': {}, 'histograms': {}}
for tag in tags['scalars']:
    out['scalars'][tag] = [[e.step, num(e.value)] for e in acc.Scalars(tag)]
for tag in tags['histograms']:
    out['histograms'][tag] = [{'step': e.step, 'limits': list(e.histogram_value.bucket_limit), 'counts': list(e.histogram_value.bucket),
                               'num': e.histogram_value.num} for e in acc.Histograms(tag)]
if crc_error is None:
    plugins = plugin_event_accumulator.EventAccumulator(folder)
    plugins.Reload()
    hparams = {}
    for tag, content in plugins.PluginTagToContent('hparams').items():
        hparams[tag] = json.loads(__import__('google.protobuf.json_format', fromlist=['x']).MessageToJson(plugin_data_pb2.HParamsPluginData.FromString(content)))
    out['hparams'] = hparams
    text = plugins.PluginTagToContent('text')
    out['text'] = {tag: tensor_util.make_ndarray(plugins.Tensors(tag)[0].tensor_proto).item().decode() for tag in text}
print(json.dumps(out))

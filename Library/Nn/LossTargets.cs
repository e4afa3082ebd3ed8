using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn.Losses;

namespace DistTrainer.Nn;

/// <summary>
/// Puts a loss's targets on the model's backend, allocated once for the model's largest batch: values of the
/// output's shape as they are, or class labels encoded as the CLI encodes them (<see cref="LossFunction.EncodeTargets"/>).
/// </summary>
internal sealed class LossTargets : IDisposable
{
    private readonly Core.Nn.Sequential _model;
    private readonly DeviceArray _device;
    private readonly float[] _encoded;
    private readonly int[] _labels;

    public LossTargets(Core.Nn.Sequential model)
    {
        _model = model;
        _device = model.Backend.Allocate(model.MaxRows * model.OutputWidth);
        _encoded = new float[model.MaxRows * model.OutputWidth];
        _labels = new int[model.MaxRows];
    }

    /// <summary>The targets of <paramref name="rows"/> rows on the backend, in the layout <paramref name="loss"/> reads.</summary>
    public DeviceSlice Upload(LossFunction loss, Tensor target, int rows)
    {
        int width = loss.TargetWidth(_model.OutputWidth);
        var slice = _device.Slice(0, rows * width);
        if (target.Count == rows * width)
        {
            _model.Backend.Upload(target.Device is null ? target.HostSpan : target.ToArray(), slice);
            return slice;
        }
        if (target.Count != rows)
            throw new ArgumentException(
                $"target of shape [{string.Join(", ", target.Shape)}]: {loss.Name} of {rows} rows of {_model.OutputWidth} outputs takes " +
                $"{rows * width} values or {rows} class labels", nameof(target));
        var labels = _labels.AsSpan(0, rows);
        var values = target.Device is null ? target.HostSpan : target.ToArray();
        for (int r = 0; r < rows; r++)
        {
            labels[r] = (int)values[r];
            if (labels[r] != values[r]) throw new ArgumentException($"target row {r}: {values[r]} is not a class label", nameof(target));
        }
        loss.ValidateLabels(labels, _model.OutputWidth, "target");
        loss.EncodeTargets(labels, _model.OutputWidth, _encoded);
        _model.Backend.Upload(_encoded.AsSpan(0, rows * width), slice);
        return slice;
    }

    public void Dispose() => _device.Dispose();
}

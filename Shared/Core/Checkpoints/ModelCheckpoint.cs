using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Optimizers;

namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// A model (and optionally its optimizer) as a safetensors file laid out like PyTorch's
/// nn.Sequential state_dict: "0.weight" [out, in], "0.bias", "1.running_mean", "1.running_var",
/// "1.num_batches_tracked" (int64 scalar). Optimizer buffers are stored as
/// "optimizer.{tensor}.{state}" and the step and settings in the metadata, so a file loads into
/// PyTorch with strict=False, and a file PyTorch wrote loads here. An XxHash64 of every tensor
/// (name, dtype, shape, bytes) goes into the metadata, so a file damaged after it was written is
/// refused on load rather than trained from; files without one (PyTorch's) are taken as they are.
/// A run's checkpoint also records the run's planned total step count, so that a resumed run ends
/// where the interrupted one would have, and on a cluster the logical shards its batches are cut into,
/// so that a resumed run does the same arithmetic.
/// </summary>
public static class ModelCheckpoint
{
    public const string Format = "disttrainer-1";
    private const string OptimizerPrefix = "optimizer.";
    private const string ChecksumKey = "checksum.xxh64";
    private const string LayersKey = "layers";
    private const string PlannedStepsKey = "planned-steps";
    private const string LogicalShardsKey = "logical-shards";
    private const string StepKey = "step";

    /// <summary>Writes the model and optimizer as they are now (see <see cref="Capture"/> and <see cref="Write"/>).</summary>
    public static void Save(string path, Sequential model, IOptimizer? optimizer, long? plannedSteps = null) =>
        Write(path, Capture(model, optimizer, plannedSteps));

    /// <summary>
    /// A copy of what a checkpoint of the model and optimizer holds now, with the run's planned total step count and
    /// logical shards when given: cheap next to writing it, so that the writing can happen elsewhere while training goes on.
    /// </summary>
    public static CheckpointContent Capture(Sequential model, IOptimizer? optimizer, long? plannedSteps = null, int? logicalShards = null)
    {
        var parameters = new float[model.ParameterCount];
        var buffers = new float[model.BufferCount];
        model.Backend.Download(model.Parameters, parameters);
        model.Backend.Download(model.Buffers, buffers);
        var tensors = new List<SafeTensor>();
        foreach (var p in model.ParameterLayout)
            tensors.Add(SafeTensor.FromFloats(p.Name, p.Shape, parameters.AsSpan(p.Offset, p.Length)));
        foreach (var b in model.BufferLayout)
            tensors.Add(SafeTensor.FromFloats(b.Name, b.Shape, buffers.AsSpan(b.Offset, b.Length)));
        foreach (var (index, layer) in model.BatchNormLayers)
            tensors.Add(SafeTensor.FromInt64Scalar($"{index}.num_batches_tracked", layer.BatchesTracked));

        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            [LayersKey] = model.Describe(),
        };
        if (optimizer is not null)
        {
            metadata["optimizer"] = optimizer.Name;
            metadata[StepKey] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture);
            foreach (var state in optimizer.StateNames)
            {
                var values = optimizer.State(state);
                foreach (var p in model.ParameterLayout)
                    tensors.Add(SafeTensor.FromFloats($"{OptimizerPrefix}{p.Name}.{state}", p.Shape, values.Slice(p.Offset, p.Length)));
            }
        }
        if (plannedSteps is { } planned) metadata[PlannedStepsKey] = planned.ToString(CultureInfo.InvariantCulture);
        if (logicalShards is { } shards) metadata[LogicalShardsKey] = shards.ToString(CultureInfo.InvariantCulture);
        return new CheckpointContent(tensors, metadata, optimizer?.StepCount ?? 0);
    }

    /// <summary>Checksums the content and writes it atomically and durably (see <see cref="AtomicFile"/>).</summary>
    public static void Write(string path, CheckpointContent content) => SafeTensorsFile.Write(path, content.Tensors, Checksummed(content));

    /// <summary>The bytes <see cref="Write"/> puts in a file, checksum included: a checkpoint to send over the network.</summary>
    public static byte[] ToBytes(CheckpointContent content)
    {
        using var stream = new MemoryStream();
        SafeTensorsFile.WriteTo(stream, content.Tensors, Checksummed(content));
        return stream.ToArray();
    }

    /// <summary>
    /// Checks <paramref name="bytes"/> as a checkpoint of <see cref="ToBytes"/>: a
    /// well-formed safetensors file whose tensors match the checksum it carries. Returns its optimizer step (0 without one).
    /// </summary>
    /// <exception cref="InvalidInputException">the bytes are not such a checkpoint; the message names <paramref name="name"/> and the flaw</exception>
    public static long Verify(string name, byte[] bytes)
    {
        var (tensors, metadata) = SafeTensorsFile.ReadFrom(name, new MemoryStream(bytes, writable: false));
        if (!metadata.TryGetValue(ChecksumKey, out var stored))
            throw new InvalidInputException($"checkpoint {name}: no '{ChecksumKey}' in its metadata");
        if (stored != Checksum(tensors.Values))
            throw new InvalidInputException($"checkpoint {name}: the tensors do not match the checksum stored with them (the bytes are damaged)");
        return StepOf(name, metadata);
    }

    /// <summary>The optimizer step a checkpoint was written at: how far the run it holds had trained; 0 when it holds no optimizer state.</summary>
    public static long ReadStep(string path) =>
        File.Exists(path) ? StepOf(path, SafeTensorsFile.ReadMetadata(path)) : throw new InvalidInputException($"checkpoint {path}: file not found");

    /// <summary>The total step count of the run that wrote the checkpoint; null when it recorded none (older files, PyTorch's).</summary>
    public static long? ReadPlannedSteps(string path) => ReadCount(path, PlannedStepsKey, "a step count");

    /// <summary>The logical shards of the cluster run that wrote the checkpoint; null when it recorded none (a run in one process, older files).</summary>
    public static int? ReadLogicalShards(string path)
    {
        long? shards = ReadCount(path, LogicalShardsKey, "a shard count");
        if (shards is null or (> 0 and <= int.MaxValue)) return (int?)shards;
        throw new InvalidInputException($"checkpoint {path}: '{LogicalShardsKey}' in its metadata is {shards}, not a shard count");
    }

    private static Dictionary<string, string> Checksummed(CheckpointContent content) =>
        new(content.Metadata) { [ChecksumKey] = Checksum(content.Tensors) };

    private static long StepOf(string name, IReadOnlyDictionary<string, string> metadata) =>
        ParseCount(name, metadata, StepKey, "a step count") ?? 0;

    private static long? ReadCount(string path, string key, string what)
    {
        var metadata = File.Exists(path)
            ? SafeTensorsFile.ReadMetadata(path)
            : throw new InvalidInputException($"checkpoint {path}: file not found");
        return ParseCount(path, metadata, key, what);
    }

    private static long? ParseCount(string name, IReadOnlyDictionary<string, string> metadata, string key, string what)
    {
        if (!metadata.TryGetValue(key, out var text)) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new InvalidInputException($"checkpoint {name}: '{key}' in its metadata is '{text}', not {what}");
    }

    /// <summary>
    /// The model a checkpoint of <see cref="Save"/> holds, from the layer spec in its metadata (files
    /// written elsewhere carry none: their model must be given, as --layers is for --init-from).
    /// </summary>
    public static ModelSpec ReadSpec(string path)
    {
        var (_, metadata) = Read(path);
        if (!metadata.TryGetValue(LayersKey, out var layers))
            throw new InvalidInputException(
                $"checkpoint {path}: no '{LayersKey}' in its metadata, so the model it holds is unknown (train --save writes it)");
        return ModelSpec.Parse(layers, option: $"checkpoint {path}: '{LayersKey}' metadata");
    }

    /// <summary>
    /// Loads the model's tensors (every one must be present with the model's shape; running
    /// statistics may be absent only when the model has none) and, when the file carries state of
    /// the same optimizer, that state and its step. Returns whether optimizer state was restored.
    /// </summary>
    public static bool Load(string path, Sequential model, IOptimizer? optimizer)
    {
        var (tensors, metadata) = Read(path);
        if (metadata.TryGetValue(ChecksumKey, out var stored) && stored != Checksum(tensors.Values))
            throw new InvalidInputException(
                $"checkpoint {path}: the tensors do not match the checksum stored with them (the file is damaged)");
        var known = new HashSet<string>();
        var parameters = new float[model.ParameterCount];
        var buffers = new float[model.BufferCount];
        foreach (var p in model.ParameterLayout) CopyInto(path, tensors, p, parameters, known);
        foreach (var b in model.BufferLayout) CopyInto(path, tensors, b, buffers, known);
        foreach (var (index, layer) in model.BatchNormLayers)
        {
            string name = $"{index}.num_batches_tracked";
            if (!tensors.TryGetValue(name, out var tracked)) continue;
            known.Add(name);
            layer.BatchesTracked = tracked.ToInt64();
        }

        bool restored = false;
        var optimizerTensors = tensors.Keys.Where(k => k.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).ToList();
        if (optimizer is not null && optimizerTensors.Count > 0
            && metadata.TryGetValue("optimizer", out var saved) && saved == optimizer.Name)
        {
            foreach (var state in optimizer.StateNames)
            {
                var values = optimizer.State(state);
                foreach (var p in model.ParameterLayout)
                {
                    var placement = p with { Name = $"{OptimizerPrefix}{p.Name}.{state}" };
                    CopyInto(path, tensors, placement, values, known);
                }
            }
            if (!metadata.TryGetValue(StepKey, out var stepText) || !long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                throw new InvalidInputException($"checkpoint {path}: optimizer state without a valid 'step' in the metadata");
            optimizer.SetStepCount(step);
            restored = true;
        }
        known.UnionWith(optimizerTensors);

        var foreign = tensors.Keys.FirstOrDefault(k => !known.Contains(k));
        if (foreign is not null)
            throw new InvalidInputException(
                $"checkpoint {path}: tensor '{foreign}' does not belong to the model ({model.Describe()})");
        model.Backend.Upload(parameters, model.Parameters);
        model.Backend.Upload(buffers, model.Buffers);
        return restored;
    }

    private static (IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path) =>
        File.Exists(path) ? SafeTensorsFile.Read(path) : throw new InvalidInputException($"checkpoint {path}: file not found");

    private static void CopyInto(string path, IReadOnlyDictionary<string, SafeTensor> tensors, TensorPlacement placement,
        Span<float> destination, HashSet<string> known)
    {
        if (!tensors.TryGetValue(placement.Name, out var tensor))
            throw new InvalidInputException($"checkpoint {path}: tensor '{placement.Name}' {Shape(placement.Shape)} is missing");
        if (!tensor.Shape.SequenceEqual(placement.Shape))
            throw new InvalidInputException(
                $"checkpoint {path}: tensor '{placement.Name}' has shape {Shape(tensor.Shape)} but the model needs {Shape(placement.Shape)}");
        tensor.ToFloats().CopyTo(destination.Slice(placement.Offset, placement.Length));
        known.Add(placement.Name);
    }

    private static string Checksum(IEnumerable<SafeTensor> tensors)
    {
        var hash = new XxHash64();
        Span<byte> number = stackalloc byte[8];
        foreach (var tensor in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            hash.Append(Encoding.UTF8.GetBytes($"{tensor.Name}\0{tensor.DType}\0"));
            foreach (var dimension in tensor.Shape)
            {
                BinaryPrimitives.WriteInt64LittleEndian(number, dimension);
                hash.Append(number);
            }
            hash.Append(tensor.Data);
        }
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    private static string Shape(int[] shape) => $"[{string.Join(", ", shape)}]";
}

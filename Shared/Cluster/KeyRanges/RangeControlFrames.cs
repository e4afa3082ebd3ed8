using System.Text.Json;
using System.Text.Json.Serialization;
using DistTrainer.Cluster.DataPlane;
using Serilog;

namespace DistTrainer.Cluster.KeyRanges;

/// <summary>
/// The range protocol on a data-plane stream between the step's master and a range's server: each message is one
/// <see cref="FrameKind.RangeControl"/> frame, its type's name and its fields as JSON text, followed by the float buffers it
/// carries (a range's weights and optimizer state, an observed gradient) as <see cref="FrameKind.RangeState"/> frames, which
/// the control frame announces (<see cref="FrameHeader.SampleCount"/>). Only the protocol's own types are read back: a frame
/// naming any other, or whose fields do not parse, is a protocol error that closes the stream.
/// </summary>
public static class RangeControlFrames
{
    // Infinity is a sum of squares a part can report (huge finite values); the protocol says so rather than failing.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static readonly Dictionary<string, Type> Types = new Type[]
    {
        typeof(HostRange), typeof(BeginRangeStep), typeof(PartsIn), typeof(SumAndStepRange), typeof(RangeStepped), typeof(CommitRange),
        typeof(DiscardRange), typeof(GatherRange), typeof(RangeGathered), typeof(RangeStreamLost), typeof(CloseRangeStream),
        typeof(AdmitToRange), typeof(DropFromRange), typeof(RangeRunEnded),
    }.ToDictionary(type => type.Name);

    /// <summary>Whether <paramref name="message"/> is one of the protocol's messages, which <see cref="Send"/> takes.</summary>
    public static bool Carries(object message) => Types.TryGetValue(message.GetType().Name, out var type) && type == message.GetType();

    /// <summary>Queues <paramref name="message"/>'s frames on <paramref name="connection"/>; false when it is closed.</summary>
    public static bool Send(TensorConnection connection, object message)
    {
        if (!Carries(message)) throw new ArgumentException($"{message.GetType().Name} is not a message of the range protocol", nameof(message));
        var (fields, buffers) = Split(message);
        string text = $"{message.GetType().Name}\n{JsonSerializer.Serialize(fields, message.GetType(), Json)}";
        if (!connection.SendText(new FrameHeader(FrameKind.RangeControl, SampleCount: buffers.Length), text)) return false;
        for (int i = 0; i < buffers.Length; i++)
            if (!connection.Send(new FrameHeader(FrameKind.RangeState, ShardId: i, SampleCount: buffers.Length), buffers[i]))
                return false;
        return true;
    }

    /// <summary>A message whose control frame <paramref name="text"/> holds, its buffers still apart.</summary>
    internal static object Parse(string text)
    {
        int line = text.IndexOf('\n');
        string name = line < 0 ? text : text[..line];
        if (line < 0 || !Types.TryGetValue(name, out var type))
            throw new FrameProtocolException($"a range control frame names no message of the range protocol ('{Shorten(name)}')");
        try
        {
            return JsonSerializer.Deserialize(text.AsSpan(line + 1), type, Json)
                   ?? throw new FrameProtocolException($"a range control frame's {name} is null");
        }
        catch (JsonException e)
        {
            throw new FrameProtocolException($"a range control frame's {name} does not parse: {e.Message}");
        }
    }

    /// <summary><paramref name="fields"/> with the buffers that followed it put back.</summary>
    internal static object Join(object fields, float[][] buffers) => fields switch
    {
        HostRange host when buffers.Length >= 1 => host with { Weights = buffers[0], State = buffers[1..] },
        RangeGathered gathered when buffers.Length >= 1 => gathered with { Weights = buffers[0], State = buffers[1..] },
        RangeStepped stepped when buffers.Length <= 2 => stepped with
        {
            Gradient = buffers.Length > 0 ? buffers[0] : null,
            Weights = buffers.Length > 1 ? buffers[1] : null,
        },
        _ when buffers.Length == 0 => fields,
        _ => throw new FrameProtocolException($"a range control frame's {fields.GetType().Name} announced {buffers.Length} buffers it does not carry"),
    };

    private static (object Fields, float[][] Buffers) Split(object message) => message switch
    {
        HostRange host => (host with { Weights = [], State = [] }, [host.Weights, .. host.State]),
        RangeGathered gathered => (gathered with { Weights = [], State = [] }, [gathered.Weights, .. gathered.State]),
        // An observer's weights come only with its gradient, so the buffers' count says which are there.
        RangeStepped stepped => (stepped with { Gradient = null, Weights = null },
            stepped.Gradient is null ? [] : stepped.Weights is null ? [stepped.Gradient] : [stepped.Gradient, stepped.Weights]),
        _ => (message, []),
    };

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}

/// <summary>
/// Reads one stream's range protocol, a frame at a time on its reader thread: a control frame, then the buffers it announced,
/// make one message. Anything out of that order is a protocol error.
/// </summary>
public sealed class RangeControlReader
{
    /// <summary>
    /// Starts <paramref name="connection"/>, reading its range protocol: each whole message goes to <paramref name="deliver"/> on
    /// the stream's reader thread; a frame out of the protocol closes the stream, with a warning naming <paramref name="peer"/>.
    /// </summary>
    public static void Start(TensorConnection connection, string peer, ILogger log, Action<object> deliver,
        Action<TensorConnection, ConnectionClosed> closed)
    {
        var reader = new RangeControlReader();
        connection.Start((c, frame) =>
        {
            object? message;
            try
            {
                message = reader.Read(frame);
            }
            catch (FrameProtocolException e)
            {
                log.Warning("Data plane: {Peer} sent a bad frame ({Reason}); closing", peer, e.Message);
                c.Dispose();
                return;
            }
            if (message is not null) deliver(message);
        }, closed);
    }

    private object? _fields;
    private float[][] _buffers = [];
    private int _received;

    /// <summary>The message <paramref name="frame"/> completes; null while its announced buffers are still to come.</summary>
    /// <exception cref="FrameProtocolException">a frame of another kind, a buffer not announced, or a control frame that does not parse</exception>
    public object? Read(ReceivedFrame frame)
    {
        var header = frame.Header;
        switch (header.Kind)
        {
            case FrameKind.RangeControl when _fields is null:
                if (header.SampleCount is < 0 or > 64)
                    throw new FrameProtocolException($"a range control frame announces {header.SampleCount} buffers");
                _fields = RangeControlFrames.Parse(frame.Text());
                _buffers = new float[header.SampleCount][];
                _received = 0;
                break;
            case FrameKind.RangeState when _fields is not null && header.ShardId == _received && header.SampleCount == _buffers.Length:
                _buffers[_received++] = frame.Payload;
                break;
            default:
                throw new FrameProtocolException(_fields is null
                    ? $"a {header.Kind} frame where a range control frame was due"
                    : $"a {header.Kind} frame (buffer {header.ShardId} of {header.SampleCount}) where buffer {_received} of {_buffers.Length} of a {_fields.GetType().Name} was due");
        }
        if (_received < _buffers.Length) return null;
        var message = RangeControlFrames.Join(_fields, _buffers);
        _fields = null;
        _buffers = [];
        return message;
    }
}

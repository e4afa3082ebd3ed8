using DistTrainer.Core.Checkpoints;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Core.Tests.Checkpoints;

public sealed class CheckpointWriterTests : IDisposable
{
    private static readonly CheckpointRetry TwoRetries = new(2, TimeSpan.FromMilliseconds(10));
    private static readonly CheckpointContent Content =
        new([SafeTensor.FromFloats("0.bias", [2], [1f, 2f])], new Dictionary<string, string> { ["step"] = "7" }, 7);

    private readonly TempDirectory _directory = new();
    private readonly List<LogEvent> _events = [];

    public void Dispose() => _directory.Dispose();

    private CheckpointWriter Writer(Action<LogEvent>? onEvent = null) =>
        new(TwoRetries, new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(new Sink(e =>
        {
            _events.Add(e);
            onEvent?.Invoke(e);
        })).CreateLogger());

    [Fact]
    public void Writes_the_checkpoint_with_its_checksum_and_logs_it()
    {
        string path = _directory.File("model.safetensors");

        Assert.Null(Writer().TryWrite(path, Content));

        var (tensors, metadata) = SafeTensorsFile.Read(path);
        Assert.Equal([1f, 2f], tensors["0.bias"].ToFloats());
        Assert.Equal("7", metadata["step"]);
        Assert.True(metadata.ContainsKey("checksum.xxh64"));
        Assert.Equal("Checkpoint {Path} written at step {Step}", Assert.Single(_events).MessageTemplate.Text);
    }

    [Fact]
    public void A_path_that_cannot_be_written_is_tried_again_and_past_the_bound_is_one_sentence_saying_why()
    {
        string blocker = _directory.Write("not-a-directory", [1]);
        string path = Path.Combine(blocker, "model.safetensors");

        var error = Writer().TryWrite(path, Content);

        Assert.NotNull(error);
        Assert.StartsWith($"checkpoint {path} of step 7 could not be written (3 attempts): ", error);
        Assert.Equal(2, _events.Count(e => e.Level == LogEventLevel.Warning));
        Assert.Equal([blocker], Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void A_disk_that_recovers_before_the_retries_run_out_gets_the_checkpoint()
    {
        string blocker = _directory.Write("run", [1]);
        string path = Path.Combine(blocker, "model.safetensors");

        var error = Writer(e =>
        {
            if (e.Level == LogEventLevel.Warning) File.Delete(blocker);
        }).TryWrite(path, Content);

        Assert.Null(error);
        Assert.Equal("7", SafeTensorsFile.Read(path).Metadata["step"]);
        Assert.Single(_events, e => e.Level == LogEventLevel.Warning);
    }

    private sealed class Sink(Action<LogEvent> emit) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => emit(logEvent);
    }
}

using DistTrainer.Core.Checkpoints;
using Xunit;

namespace DistTrainer.Core.Tests.Checkpoints;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Replaces_the_file_with_the_new_content()
    {
        string path = _directory.Write("state.bin", [1, 2, 3]);

        AtomicFile.Write(path, stream => stream.Write([4, 5]));

        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Creates_the_folders_of_a_new_file()
    {
        string path = Path.Combine(_directory.Path, "run", "model", "state.bin");

        AtomicFile.Write(path, stream => stream.Write([7]));

        Assert.Equal([7], File.ReadAllBytes(path));
    }

    [Fact]
    public void Failure_halfway_leaves_the_old_file_and_no_temporary_file()
    {
        string path = _directory.Write("state.bin", [1, 2, 3]);

        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new InvalidOperationException("disk on fire");
        }));

        Assert.Equal("disk on fire", error.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Failure_to_rename_leaves_no_temporary_file()
    {
        string target = _directory.File("occupied");
        Directory.CreateDirectory(target);

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(target, stream => stream.Write([1])));

        Assert.Equal([target], Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Text_is_written_as_utf8_and_replaces_the_old_file()
    {
        string path = _directory.Write("summary.json", [1, 2, 3]);

        AtomicFile.WriteAllText(path, "{\"loss\": \"0.5 ±\"}");

        Assert.Equal("{\"loss\": \"0.5 ±\"}", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void A_path_under_a_regular_file_fails_and_leaves_that_file_as_it_was()
    {
        string file = _directory.Write("not-a-directory", [9]);

        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(Path.Combine(file, "summary.json"), "{}"));

        Assert.Equal([9], File.ReadAllBytes(file));
        Assert.Equal([file], Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Flushing_a_directory_that_does_not_exist_is_an_error_naming_it()
    {
        if (OperatingSystem.IsWindows()) return;
        string missing = Path.Combine(_directory.Path, "gone");

        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));

        Assert.StartsWith($"{missing}: cannot open the directory to flush it: ", error.Message);
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Data;

/// <summary>
/// The datasets this process has read from IDX files, so that the coordinator and the workers it runs
/// in-process share one read-only copy instead of one each. An entry is keyed by the files' full paths,
/// sizes and modification times (a rewritten file is read again) and holds its datasets weakly: it
/// lives as long as some part of the process uses them or a head cut from them, or as long as they are the latest
/// load's (until a load of other files: a worker that lost its coordinator loads the same ones again within seconds), and
/// the map drops dead entries on every load, which bounds it by the datasets alive. A test set lives as long as
/// its training set. A load that needs no test set (a worker's) reads none; a later load of the same files
/// that does reads only the test set and keeps it with the training set already there.
/// </summary>
internal static class DatasetCache
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Entries = [];

    // A worker that lost its coordinator opens its next session, on its node or a fresh one, within seconds, with the same
    // files. Read again, the training set's pixels (47 MB for Fashion-MNIST, with the 26 MB compressed file beside them)
    // came while the old copy waited for the collector, and the worker's memory grew by tens of MB across the loss
    // (docs/faults.md). One load's datasets, so bounded by the largest set the process reads.
    private static Sets? _latest;

    /// <summary>
    /// The datasets named <paramref name="name"/> read from <paramref name="files"/>: the ones an earlier
    /// load returned while they are still in use, else what <paramref name="loadTraining"/> reads, and, when
    /// <paramref name="withTest"/>, the test set <paramref name="loadTest"/> reads for that training set (null without
    /// <paramref name="withTest"/>). Loads of the same files wait for each other rather than read them twice.
    /// </summary>
    public static (Dataset Train, Dataset? Test) GetOrLoad(string name, IEnumerable<string> files, bool withTest,
        Func<LoadedTraining> loadTraining, Func<LoadedTraining, Dataset?> loadTest)
    {
        string key = KeyOf(name, files);
        lock (Gate)
        {
            foreach (string dead in Entries.Where(e => !e.Value.IsAlive).Select(e => e.Key).ToList())
            {
                Entries.Remove(dead);
            }

            if (!Entries.TryGetValue(key, out Entry? entry) || !entry.TryGet(out var held))
            {
                held = new Sets(loadTraining());
                Entries[key] = new Entry(held);
            }

            _latest = held;

            if (!withTest)
            {
                return (held.Training.Set, null);
            }

            if (!held.TestRead)
            {
                held.Test = loadTest(held.Training);
                held.TestRead = true;
            }

            return (held.Training.Set, held.Test);
        }
    }

    private static string KeyOf(string name, IEnumerable<string> files) =>
        string.Join('\n', files.Select(Stamp).Prepend(name));

    private static string Stamp(string path)
    {
        var file = new FileInfo(path);
        return string.Create(CultureInfo.InvariantCulture, $"{file.FullName}\t{file.Length}\t{file.LastWriteTimeUtc.Ticks}");
    }

    /// <summary>What an entry keeps beside its training set: how it was read, and its test set once one is read.</summary>
    private sealed class Sets(LoadedTraining training)
    {
        public LoadedTraining Training { get; } = training;
        public bool TestRead { get; set; }
        public Dataset? Test { get; set; }
    }

    /// <summary>One load's datasets, held weakly.</summary>
    private sealed class Entry
    {
        // What was read lives as long as its training set does: a worker that keeps only the training set still leaves
        // the test set read beside it for the next node of this process to find.
        private static readonly ConditionalWeakTable<Dataset, Sets> SetsOf = [];

        private readonly WeakReference<Sets> _sets;

        public Entry(Sets sets)
        {
            _sets = new WeakReference<Sets>(sets);
            SetsOf.AddOrUpdate(sets.Training.Set, sets);
        }

        public bool IsAlive => _sets.TryGetTarget(out _);

        public bool TryGet([NotNullWhen(true)] out Sets? sets) => _sets.TryGetTarget(out sets);
    }
}

/// <summary>
/// A training set as read from its IDX files, with the shape of its images (what a test set is checked against) and the
/// test labels read for the class count (null without a test set), which the test set then takes instead of reading them again.
/// </summary>
internal sealed record LoadedTraining(Dataset Set, string ImagesPath, int Rows, int Columns, int[]? TestLabels);

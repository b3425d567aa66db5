using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Where a process's allocations come from, read from a dotnet-trace file taken with the gc-verbose profile
// (GCAllocationTick: one sample per ~100 KB allocated, with its type and call stack). Usage:
//   dotnet-trace collect -p <pid> --profile gc-verbose --duration 00:00:00:20 -o alloc.nettrace
//   dotnet run -c Release --project bench/TraceReport -- alloc.nettrace [--top 40] [--requests N]
// Prints the sampled bytes by type, and by method inclusive of its callees (each sample counted once per method
// on its stack; async continuations make this generous), by the innermost frame outside the base class library
// (who asked for the allocation) and by that frame's module, as a share of all sampled bytes (and per request when --requests says how many the trace covered).
if (args.Length == 0 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("Usage: TraceReport <trace.nettrace> [--top 40] [--requests N]");
    return 2;
}

var top = args.SkipWhile(a => a != "--top").Skip(1).Select(int.Parse).FirstOrDefault(40);
var requests = args.SkipWhile(a => a != "--requests").Skip(1).Select(double.Parse).FirstOrDefault(0);
using var log = TraceLog.OpenOrConvert(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, double>();
var byMethod = new Dictionary<string, double>();
var byOwner = new Dictionary<string, double>();
var byOwnerModule = new Dictionary<string, double>();
double total = 0;
foreach (var data in log.Events.ByEventType<GCAllocationTickTraceData>())
{
    double amount = data.AllocationAmount64;
    total += amount;
    byType[data.TypeName ?? "?"] = byType.GetValueOrDefault(data.TypeName ?? "?") + amount;
    // The owner: the innermost frame outside the base class library (which allocates on someone's behalf).
    var owner = "(base class library only)";
    var ownerModule = owner;
    for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
    {
        var module = frame.CodeAddress.ModuleName ?? "";
        if (module.Length > 0 && !module.StartsWith("System", StringComparison.OrdinalIgnoreCase) && !module.Equals("mscorlib", StringComparison.OrdinalIgnoreCase)
            && !string.IsNullOrEmpty(frame.CodeAddress.FullMethodName))
        {
            owner = frame.CodeAddress.FullMethodName;
            ownerModule = module;
            break;
        }
    }

    byOwner[owner] = byOwner.GetValueOrDefault(owner) + amount;
    byOwnerModule[ownerModule] = byOwnerModule.GetValueOrDefault(ownerModule) + amount;
    var seen = new HashSet<string>();
    for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
    {
        var name = frame.CodeAddress.FullMethodName;
        if (!string.IsNullOrEmpty(name) && seen.Add(name))
        {
            byMethod[name] = byMethod.GetValueOrDefault(name) + amount;
        }
    }
}

Console.WriteLine($"Sampled allocations: {total / 1048576:F1} MB{(requests > 0 ? $", {total / requests / 1024:F1} KB per request over {requests} requests" : "")}");
Print("Type", byType);
Print("Module of the innermost non-BCL frame", byOwnerModule);
Print("Innermost non-BCL method", byOwner);
Print("Method (inclusive)", byMethod);
return 0;

void Print(string what, Dictionary<string, double> values)
{
    Console.WriteLine();
    Console.WriteLine($"| {what} | Share |{(requests > 0 ? " KB/request |" : "")}");
    Console.WriteLine($"| --- | ---: |{(requests > 0 ? " ---: |" : "")}");
    foreach (var (name, bytes) in values.OrderByDescending(v => v.Value).Take(top))
    {
        var shown = name.Length > 150 ? name[..150] + "…" : name;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {shown.Replace("|", "\\|", StringComparison.Ordinal)} | {bytes / total:P1} |{(requests > 0 ? $" {bytes / requests / 1024:F1} |" : "")}"));
    }
}

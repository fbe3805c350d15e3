using System.Text.Json;
using System.Text.RegularExpressions;
using KvArchive.LocalVault.Faults;
using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Management;

/// <summary>Reads <c>{"latencyMs","jitterMs","rules":[{"method","pathRegex","status","count","drop","stallMs","retryAfterSeconds"}]}</c>.</summary>
public static class FaultPlanReader
{
    public static FaultPlan Read(JsonElement body)
    {
        var latency = JsonInput.Int(body, "latencyMs") ?? 0;
        var jitter = JsonInput.Int(body, "jitterMs") ?? 0;
        if (latency is < 0 or > 600_000 || jitter is < 0 or > 600_000)
        {
            throw VaultErrors.BadParameter("latencyMs and jitterMs must be from 0 to 600000.");
        }

        var rules = new List<FaultRule>();
        if (body.TryGetProperty("rules", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw VaultErrors.BadParameter("rules must be an array.");
            }

            foreach (var r in list.EnumerateArray())
            {
                if (r.ValueKind != JsonValueKind.Object)
                {
                    throw VaultErrors.BadParameter("Each rule must be an object.");
                }

                rules.Add(ReadRule(r));
            }
        }

        return new FaultPlan(latency, jitter, rules);
    }

    public static void Write(Utf8JsonWriter w, FaultPlan? plan)
    {
        w.WriteStartObject();
        w.WriteNumber("latencyMs", plan?.LatencyMs ?? 0);
        w.WriteNumber("jitterMs", plan?.JitterMs ?? 0);
        w.WriteStartArray("rules");
        foreach (var rule in plan?.Rules ?? [])
        {
            w.WriteStartObject();
            w.WriteString("method", rule.Method);
            w.WriteString("pathRegex", rule.Path?.ToString());
            if (rule.Status is { } s)
            {
                w.WriteNumber("status", s);
            }

            w.WriteNumber("remaining", rule.Remaining);
            w.WriteBoolean("drop", rule.Drop);
            w.WriteNumber("stallMs", rule.StallMs);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static FaultRule ReadRule(JsonElement r)
    {
        var method = JsonInput.String(r, "method");
        var pattern = JsonInput.String(r, "pathRegex");
        Regex? regex = null;
        if (!string.IsNullOrEmpty(pattern))
        {
            try
            {
                regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException e)
            {
                throw VaultErrors.BadParameter($"pathRegex '{pattern}' is not a valid regular expression: {e.Message}");
            }
        }

        var status = JsonInput.Int(r, "status") is { } given and not 0 ? given : (int?)null;
        if (status is < 100 or > 599)
        {
            throw VaultErrors.BadParameter("status must be an HTTP status from 100 to 599.");
        }

        var count = JsonInput.Int(r, "count") ?? -1;
        var drop = JsonInput.Bool(r, "drop") ?? false;
        var stall = JsonInput.Int(r, "stallMs") ?? 0;
        if (stall is < 0 or > 600_000)
        {
            throw VaultErrors.BadParameter("stallMs must be from 0 to 600000.");
        }

        if (status is null && !drop && stall == 0)
        {
            throw VaultErrors.BadParameter("A rule needs a status, drop: true or stallMs.");
        }

        return new FaultRule(string.IsNullOrEmpty(method) ? null : method.ToUpperInvariant(), regex, status, count, drop, stall, JsonInput.Int(r, "retryAfterSeconds"));
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Conformance;

/// <summary>
/// Replays one recorded session against LocalVault and compares every answer structurally.
/// <list type="bullet">
/// <item>Each recorded vault host gets a fresh LocalVault vault whose settings are read off the recording
/// (recoverableDays, soft delete off when the service answered "Purgeable", a delete delay when the service answered
/// ObjectIsBeingDeleted). Object names are kept as recorded: every session has vaults of its own, so they cannot
/// collide; hosts are substituted and version ids are mapped from the service's to LocalVault's as answers come in.</item>
/// <item>Objects the session uses without creating (left in the shared test vault by earlier runs) are created first
/// from the service's own answer about them.</item>
/// <item>Request bodies the recorder did not keep (C++ and Java) are synthesised from the operation and the service's
/// answer (a set echoes what was set); restores send LocalVault's own blob from the session's earlier backup.</item>
/// <item>Recorded request bodies (.NET, JavaScript) are sent as recorded, except where they carry the output of the
/// service's own key: a verify sends LocalVault's signature of the same digest, a decrypt or unwrapKey LocalVault's
/// ciphertext of the plaintext the service answered (from LocalVault's answer to the session's sign/encrypt/wrapKey
/// when there was one, otherwise made on the spot). The outputs of sign, encrypt and wrapKey are random: compared by type.</item>
/// <item>A session that cancels or deletes a certificate operation gets a vault whose operations stay in progress
/// (certificateDelayMs), as the service's did; Retry-After and Location headers the service sent are required.</item>
/// <item>Consecutive identical GETs are one poll loop: the last answer is the expected one, intermediate 404s are optional
/// (INDEX.md). A list and its $skiptoken continuations are one step: LocalVault's own pages are followed to the end,
/// each page's shape is checked, and the items are compared with the service's items of the same names.</item>
/// </list>
/// </summary>
public sealed partial class SessionReplayer(LocalVaultFixture fx, RecordingSession session)
{
    private readonly Dictionary<string, VaultRef> _vaults = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _versions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _backups = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _cryptoOutputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sessionNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly ReplayResult _result = new(session.RelativePath);
    private string? _lastPkcs12;
    private string? _lastBackup;

    [GeneratedRegex("^Bearer authorization=\"https://login\\.(microsoftonline\\.com|windows\\.net)/[^\"]+\", resource=\"https://vault\\.[a-z.]+\"$")]
    private static partial Regex ChallengeShape();

    [GeneratedRegex("[0-9a-f]{32}", RegexOptions.IgnoreCase)]
    private static partial Regex AnyVersion();

    public async Task<ReplayResult> RunAsync()
    {
        await CreateVaultsAsync();
        CollectSessionNames();
        await SeedPreexistingAsync();
        foreach (var step in BuildSteps())
        {
            var first = step[0];
            StepResult result;
            if (first.Status == 401)
            {
                result = await ReplayChallengeAsync(first);
            }
            else if (first.Method == "GET" && first.Route.IsList)
            {
                result = await ReplayListAsync(step);
            }
            else
            {
                result = await ReplayCallAsync(step);
            }

            _result.Steps.Add(result);
        }

        return _result;
    }

    // ---- vaults and pre-existing state ----

    private async Task CreateVaultsAsync()
    {
        foreach (var group in session.Calls.GroupBy(c => c.Url.Host, StringComparer.OrdinalIgnoreCase))
        {
            var bodies = group.Select(c => c.Json).Where(j => j is not null).ToList();
            var recoverableDays = FindValues(bodies, "recoverableDays").Select(v => v.GetValue<int>()).DefaultIfEmpty(90).First();
            var purgeableOnly = FindValues(bodies, "recoveryLevel").Any(v => v.GetValue<string>() == "Purgeable");
            var beingDeleted = bodies.Any(b => b?["error"]?["innererror"]?["code"]?.GetValue<string>() == "ObjectIsBeingDeleted");
            var settings = new Dictionary<string, object> { ["throttling"] = false };
            if (purgeableOnly)
            {
                settings["softDelete"] = false;
            }
            else if (recoverableDays != 90)
            {
                settings["recoverableDays"] = recoverableDays;
            }

            if (beingDeleted)
            {
                settings["deleteDelayMs"] = 1500;
            }

            // The service's operation was still in progress when the session cancelled or deleted it.
            if (group.Any(c => c.Route.Kind == "certificates" && c.Route.Action == "pending" && c.Method is "PATCH" or "DELETE"))
            {
                settings["certificateDelayMs"] = 600_000;
            }

            var vault = await fx.NewVaultAsync(settings, "rp");
            _vaults[group.Key] = vault;
            _result.Notes.Add($"vault for {group.Key}: {System.Text.Json.JsonSerializer.Serialize(settings)}");
        }
    }

    private void CollectSessionNames()
    {
        foreach (var c in session.Calls)
        {
            if (c.Route.Name is { } name)
            {
                _sessionNames.Add(name);
            }

            if (c.Route.IsRestore && c.Json?["id"] is JsonValue id)
            {
                _sessionNames.Add(NameFromId(id.GetValue<string>()));
            }

            if (c.Route.IsRestore && c.Json?["key"]?["kid"] is JsonValue kid)
            {
                _sessionNames.Add(NameFromId(kid.GetValue<string>()));
            }
        }
    }

    /// <summary>Creates objects the session uses without creating them first.</summary>
    private async Task SeedPreexistingAsync()
    {
        var created = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in session.Calls)
        {
            var route = c.Route;
            if (c.Status == 401)
            {
                continue;
            }

            if (route.IsRestore)
            {
                var restoredName = c.Json?["id"] is JsonValue id ? NameFromId(id.GetValue<string>()) : c.Json?["key"]?["kid"] is JsonValue kid ? NameFromId(kid.GetValue<string>()) : null;
                if (restoredName is not null)
                {
                    created.Add(restoredName);
                }

                continue;
            }

            if (route.Name is not { } name || !seen.Add(route.Kind + "/" + name))
            {
                continue;
            }

            // A version list answers 200 (empty) for a name that does not exist: no evidence either way.
            if (route.IsList)
            {
                seen.Remove(route.Kind + "/" + name);
                continue;
            }

            if (created.Contains(name) || IsCreate(c) || c.Status == 404 || (c.Status == 409 && c.Method != "DELETE"))
            {
                created.Add(name);
                continue;
            }

            if (c.Status is >= 200 and < 300 && c.Json is JsonObject bundle)
            {
                var vault = _vaults[c.Url.Host];
                await SeedAsync(vault, route.Kind, name, bundle, deleted: route.IsDeletedCollection);
                created.Add(name);
            }
        }
    }

    private async Task SeedAsync(VaultRef vault, string kind, string name, JsonObject bundle, bool deleted)
    {
        RawResponse r;
        switch (kind)
        {
            case "secrets":
                r = await fx.SendAsync(HttpMethod.Put, vault, $"secrets/{name}?api-version=7.3", SecretSetBody(bundle, fallbackValue: "seeded-value").ToJsonString());
                break;
            case "keys":
                r = await fx.SendAsync(HttpMethod.Post, vault, $"keys/{name}/create?api-version=7.3", KeyCreateBody(bundle).ToJsonString());
                break;
            case "certificates":
                r = await fx.SendAsync(HttpMethod.Post, vault, $"certificates/{name}/create?api-version=7.3", CertificateCreateBody(name).ToJsonString());
                await WaitForCertificateAsync(vault, name);
                r = await fx.SendAsync(HttpMethod.Get, vault, $"certificates/{name}?api-version=7.3");
                break;
            default:
                _result.Notes.Add($"cannot seed {kind}/{name}");
                return;
        }

        _result.Notes.Add($"seeded pre-existing {kind}/{name}{(deleted ? " (then deleted)" : string.Empty)}: {r.StatusCode}");
        if (r.StatusCode == 200)
        {
            LearnVersions(bundle, r.Json);
        }

        if (deleted)
        {
            await fx.SendAsync(HttpMethod.Delete, vault, $"{kind}/{name}?api-version=7.3");
            await PollUntilAsync(vault, $"deleted{kind}/{name}?api-version=7.3", 200);
        }
    }

    // ---- steps ----

    private List<List<RecordedCall>> BuildSteps()
    {
        var steps = new List<List<RecordedCall>>();
        var calls = session.Calls;
        var i = 0;
        while (i < calls.Count)
        {
            var c = calls[i];
            var j = i + 1;
            if (c.Method == "GET" && c.Status != 401 && c.Route.IsList)
            {
                while (j < calls.Count && calls[j].Method == "GET" && calls[j].Url.AbsolutePath == c.Url.AbsolutePath && HasSkipToken(calls[j].Url))
                {
                    j++;
                }
            }
            else if (c.Method == "GET" && c.Status != 401)
            {
                // The JavaScript browser recorder re-ran the 401 probe before every poll: those probes belong to the loop,
                // as long as an authenticated answer follows.
                while (j < calls.Count && calls[j].Method == "GET" && calls[j].Url == c.Url
                    && (calls[j].Status != 401 || (j + 1 < calls.Count && calls[j + 1].Method == "GET" && calls[j + 1].Url == c.Url && calls[j + 1].Status != 401)))
                {
                    j++;
                }
            }

            steps.Add(calls.Skip(i).Take(j - i).ToList());
            i = j;
        }

        return steps;
    }

    private async Task<StepResult> ReplayChallengeAsync(RecordedCall call)
    {
        var diffs = new List<string>();
        var vault = _vaults[call.Url.Host];
        var r = await fx.SendAsync(new HttpMethod(call.Method), MapUrl(call.Url, vault), body: null, token: string.Empty);
        if (r.StatusCode != 401)
        {
            diffs.Add($"status: service 401, LocalVault {r.StatusCode}");
        }

        var recordedChallenge = call.ResponseHeaders.TryGetValue("WWW-Authenticate", out var rc) ? rc : null;
        var challenge = r.Header("WWW-Authenticate");
        if (recordedChallenge is not null && !ChallengeShape().IsMatch(recordedChallenge))
        {
            diffs.Add($"the recorded challenge does not have the expected shape: {recordedChallenge}");
        }

        if (challenge is null || !ChallengeShape().IsMatch(challenge))
        {
            diffs.Add($"WWW-Authenticate: {challenge ?? "(missing)"}");
        }

        if (call.Json?["error"]?["code"] is JsonValue code && r.StatusCode == 401)
        {
            Compare("error", call.Json["error"], r.Json["error"], diffs);
        }

        return new StepResult(Describe([call]), diffs);
    }

    private async Task<StepResult> ReplayCallAsync(List<RecordedCall> calls)
    {
        var expected = calls[^1];
        var call = calls[0];
        var vault = _vaults[call.Url.Host];
        var diffs = new List<string>();
        string? body;
        try
        {
            body = RequestBody(call);
        }
        catch (InvalidOperationException e)
        {
            return new StepResult(Describe(calls), [$"cannot synthesise the request body: {e.Message}"]);
        }

        var url = MapUrl(call.Url, vault);
        string? note = null;
        if (IsCryptoInput(call) && body is not null)
        {
            (body, note) = await SubstituteCryptoInputAsync(call, url, body);
        }
        else if (IsMerge(call) && body is not null)
        {
            (body, note) = await SubstituteMergeInputAsync(call, url, body);
        }

        var r = await fx.SendAsync(new HttpMethod(call.Method), url, body);
        if (calls.Count > 1 || IsPendingPoll(call))
        {
            // A poll loop: a synchronous server may give the final answer at once; otherwise poll as the SDK would.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            var recordedStatuses = calls.Select(c => c.Status).ToHashSet();
            while (((r.StatusCode != expected.Status && recordedStatuses.Contains(r.StatusCode))
                    || (IsPendingPoll(call) && r.StatusCode == 200 && r.Json["status"]?.GetValue<string>() == "inProgress" && expected.Json?["status"]?.GetValue<string>() != "inProgress"))
                && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                r = await fx.SendAsync(new HttpMethod(call.Method), url, body);
            }

            if (calls.Count > 1)
            {
                note = (note is null ? string.Empty : note + "; ") + $"poll loop of {calls.Count} recorded answers ({string.Join("→", calls.Select(c => c.Status))})";
            }
        }

        CompareResponse(expected, r, diffs);
        if (r.StatusCode is >= 200 and < 300 && expected.Json is { } rec && !string.IsNullOrEmpty(r.Text))
        {
            LearnVersions(rec, r.Json);
            Remember(call, r);
        }

        return new StepResult(Describe(calls), diffs, note);
    }

    private async Task<StepResult> ReplayListAsync(List<RecordedCall> calls)
    {
        var first = calls[0];
        var vault = _vaults[first.Url.Host];
        var diffs = new List<string>();
        var url = MapUrl(first.Url, vault);
        var pages = new List<JsonObject>();
        RawResponse r = await fx.SendAsync(HttpMethod.Get, url);
        if (r.StatusCode != first.Status)
        {
            diffs.Add($"status: service {first.Status}, LocalVault {r.StatusCode}: {Trim(r.Text)}");
            return new StepResult(Describe(calls), diffs);
        }

        if (first.Status != 200)
        {
            CompareResponse(first, r, diffs);
            return new StepResult(Describe(calls), diffs);
        }

        while (true)
        {
            CheckContentType(first, r, diffs);
            if (r.Json is not JsonObject page || page["value"] is not JsonArray)
            {
                diffs.Add($"page is not {{value:[…]}}: {Trim(r.Text)}");
                break;
            }

            pages.Add(page);
            if (!page.ContainsKey("nextLink"))
            {
                diffs.Add("page has no nextLink property (the service always sends it, null on the last page)");
            }

            var next = page["nextLink"]?.GetValue<string>();
            if (next is null)
            {
                break;
            }

            if (!Uri.TryCreate(next, UriKind.Absolute, out var nextUri) || nextUri.Scheme != "https" || !next.Contains("$skiptoken=", StringComparison.Ordinal) || !next.Contains("api-version=", StringComparison.Ordinal)
                || !string.Equals(nextUri.Host, vault.Uri.Host, StringComparison.OrdinalIgnoreCase) || nextUri.Port != vault.Uri.Port)
            {
                diffs.Add($"nextLink is not an absolute https link to the vault with api-version and $skiptoken: {next}");
                break;
            }

            if (pages.Count > 500)
            {
                diffs.Add("more than 500 pages");
                break;
            }

            r = await fx.SendAsync(HttpMethod.Get, nextUri);
            if (r.StatusCode != 200)
            {
                diffs.Add($"following nextLink answered {r.StatusCode}: {Trim(r.Text)}");
                break;
            }
        }

        var recordedItems = calls.Where(c => c.Status == 200).SelectMany(c => c.Json?["value"]?.AsArray() ?? []).OfType<JsonObject>().ToList();
        var ours = pages.SelectMany(p => p["value"]!.AsArray()).OfType<JsonObject>().ToList();
        var isVersions = first.Route.Action == "versions";
        var ourByKey = new Dictionary<string, JsonObject>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in ours)
        {
            var key = ItemKey(item, isVersions, mapped: false);
            if (key is null)
            {
                diffs.Add($"item without id/kid: {Trim(item.ToJsonString())}");
                continue;
            }

            if (!ourByKey.TryAdd(key, item))
            {
                diffs.Add($"item listed twice: {key}");
            }

            if (!isVersions && !_sessionNames.Contains(key))
            {
                diffs.Add($"LocalVault listed {key}, which this session never touched");
            }
        }

        var compared = 0;
        foreach (var rec in recordedItems)
        {
            var key = ItemKey(rec, isVersions, mapped: true);
            if (key is null || (!isVersions && !_sessionNames.Contains(key)))
            {
                continue; // another test's object in the shared recording vault
            }

            if (isVersions && !_versions.ContainsKey(ItemKey(rec, true, mapped: false)!))
            {
                continue; // a version this session did not create
            }

            if (!ourByKey.TryGetValue(key, out var mine))
            {
                diffs.Add($"the service listed {key}, LocalVault did not");
                continue;
            }

            compared++;
            var itemDiffs = new List<string>();
            StructuralComparer.Compare("$.value[" + key + "]", rec, mine, itemDiffs, validityIsServiceOwn: IsCertificateDerived(first.Route, rec));
            diffs.AddRange(itemDiffs);
        }

        // The shape of a page beyond its items.
        var recordedPage = calls[0].Json as JsonObject;
        if (recordedPage is not null && pages.Count > 0)
        {
            foreach (var (k, v) in recordedPage)
            {
                if (k is not ("value" or "nextLink") && !pages[0].ContainsKey(k))
                {
                    diffs.Add($"page property {k} missing");
                }
            }
        }

        var note = $"page sizes: service {string.Join("/", calls.Select(c => c.Json?["value"]?.AsArray().Count ?? -1))}, LocalVault {string.Join("/", pages.Select(p => p["value"]!.AsArray().Count))}; {compared} items compared";
        return new StepResult(Describe(calls), diffs, note);
    }

    // ---- comparison ----

    private void CompareResponse(RecordedCall expected, RawResponse actual, List<string> diffs)
    {
        if (actual.StatusCode != expected.Status)
        {
            diffs.Add($"status: service {expected.Status}, LocalVault {actual.StatusCode}: {Trim(actual.Text)}");
            return;
        }

        if (string.IsNullOrWhiteSpace(expected.ResponseBody))
        {
            if (!string.IsNullOrWhiteSpace(actual.Text) && expected.Status == 204)
            {
                diffs.Add($"service sent no body, LocalVault sent {Trim(actual.Text)}");
            }

            return;
        }

        CheckContentType(expected, actual, diffs);
        CheckOperationHeaders(expected, actual, diffs);
        var recorded = expected.Json;
        JsonNode? mine;
        try
        {
            mine = JsonNode.Parse(actual.Text);
        }
        catch (System.Text.Json.JsonException)
        {
            diffs.Add($"LocalVault's body is not JSON: {Trim(actual.Text)}");
            return;
        }

        if (recorded?["error"] is JsonObject)
        {
            Compare("$.error", recorded["error"], mine?["error"], diffs);
            if (recorded["error"]!["innererror"] is null && mine?["error"]?["innererror"] is { } extra)
            {
                diffs.Add($"$.error.innererror: the service sent none, LocalVault sent {extra.ToJsonString()}");
            }

            return;
        }

        Compare("$", recorded, mine, diffs, opaque: IsOpaqueValue(expected), certificateDerived: IsCertificateDerived(expected.Route, recorded));
    }

    private static void Compare(string path, JsonNode? recorded, JsonNode? mine, List<string> diffs, bool opaque = false, bool certificateDerived = false)
        => StructuralComparer.Compare(path, recorded, mine, diffs, opaque, certificateDerived);

    /// <summary>A certificate, or the managed key/secret of one: its nbf/exp are the generated certificate's validity.</summary>
    private static bool IsCertificateDerived(VaultRoute route, JsonNode? recorded)
        => route.Kind == "certificates" || recorded?["managed"]?.GetValue<bool>() == true || recorded?["x5t"] is not null;

    private static void CheckContentType(RecordedCall expected, RawResponse actual, List<string> diffs)
    {
        if (expected.ResponseHeaders.TryGetValue("content-type", out var ct) && !string.IsNullOrEmpty(actual.Text)
            && !string.Equals(ct, actual.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            diffs.Add($"content-type: service {ct}, LocalVault {actual.ContentType}");
        }
    }

    /// <summary>
    /// Retry-After on a 202 create and on an operation still in progress, and Location on a 202 (pointing at the
    /// operation): required where the service sent them, unless LocalVault already finished the operation. Only for
    /// certificate operations: the legacy Java recorder wrote "retry-after: 0" into every answer.
    /// </summary>
    private static void CheckOperationHeaders(RecordedCall expected, RawResponse actual, List<string> diffs)
    {
        if (expected.Route.Kind != "certificates" || (expected.Status is not (201 or 202) && expected.Route.Action != "pending"))
        {
            return;
        }

        var finished = actual.Text.Length > 0 && actual.Json["status"] is JsonValue st && st.GetValue<string>() != "inProgress";
        if (expected.ResponseHeaders.TryGetValue("Retry-After", out var retryAfter) && !finished)
        {
            var mine = actual.Header("Retry-After");
            if (mine != retryAfter)
            {
                diffs.Add($"Retry-After: service {retryAfter}, LocalVault {mine ?? "(missing)"}");
            }
        }

        if (expected.Status is 201 or 202 && expected.ResponseHeaders.TryGetValue("Location", out var location))
        {
            var mine = actual.Header("Location");
            if (mine is null || StructuralComparer.IdShape(mine) != StructuralComparer.IdShape(location))
            {
                diffs.Add($"Location: service {StructuralComparer.IdShape(location)}, LocalVault {(mine is null ? "(missing)" : StructuralComparer.IdShape(mine))}");
            }
        }
    }

    private static bool IsOpaqueValue(RecordedCall call)
    {
        if (call.Route.Action is "backup" or "sign" or "encrypt" or "wrapkey")
        {
            return true;
        }

        var ct = call.Json?["contentType"]?.GetValue<string>();
        return ct is "application/x-pkcs12" or "application/x-pem-file";
    }

    // ---- request synthesis ----

    private string? RequestBody(RecordedCall call)
    {
        var route = call.Route;
        if (session.BodiesRecorded)
        {
            return call.RequestBody is null ? null : MapText(call.RequestBody);
        }

        var bundle = call.Json as JsonObject;
        var ok = call.Status is >= 200 and < 300 && bundle is not null && bundle["error"] is null;
        switch (call.Method, route.Kind, route.Action)
        {
            case ("PUT", "secrets", null) when route.Name is not null:
                return SecretSetBody(ok ? bundle! : null, fallbackValue: "replayed-value").ToJsonString();
            case ("PATCH", "secrets", null):
            case ("PATCH", "certificates", null):
                return UpdateBody(ok ? bundle! : null, keyOps: false).ToJsonString();
            case ("PATCH", "keys", null):
                return UpdateBody(ok ? bundle! : null, keyOps: true).ToJsonString();
            case ("POST", "keys", "create"):
                return KeyCreateBody(ok ? bundle! : PreviousKeyBundle(route.Name!, call.Index)).ToJsonString();
            case ("POST", "certificates", "create"):
                return CertificateCreateBody(route.Name!).ToJsonString();
            case ("POST", "certificates", "import"):
                var import = new JsonObject { ["value"] = _lastPkcs12 ?? throw new InvalidOperationException("no PFX downloaded earlier in the session") };
                if (ok && bundle!["policy"] is JsonObject policy)
                {
                    import["policy"] = new JsonObject { ["secret_props"] = policy["secret_props"]?.DeepClone() };
                }

                return import.ToJsonString();
            case ("POST", _, "restore"):
                var restoredName = bundle?["id"] is JsonValue id ? NameFromId(id.GetValue<string>()) : bundle?["key"]?["kid"] is JsonValue kid ? NameFromId(kid.GetValue<string>()) : null;
                var blob = (restoredName is not null && _backups.TryGetValue(route.Kind + "/" + restoredName, out var b) ? b : _lastBackup)
                    ?? throw new InvalidOperationException("no backup taken earlier in the session");
                return new JsonObject { ["value"] = blob }.ToJsonString();
            default:
                return null;
        }
    }

    private static JsonObject SecretSetBody(JsonObject? bundle, string fallbackValue)
    {
        var body = new JsonObject { ["value"] = bundle?["value"]?.GetValue<string>() ?? fallbackValue };
        if (bundle?["contentType"] is JsonValue ct)
        {
            body["contentType"] = ct.GetValue<string>();
        }

        var attributes = InputAttributes(bundle);
        if (attributes.Count > 0)
        {
            body["attributes"] = attributes;
        }

        if (bundle?["tags"] is JsonObject tags)
        {
            body["tags"] = tags.DeepClone();
        }

        return body;
    }

    private static JsonObject UpdateBody(JsonObject? bundle, bool keyOps)
    {
        var body = new JsonObject();
        if (bundle?["contentType"] is JsonValue ct)
        {
            body["contentType"] = ct.GetValue<string>();
        }

        var attributes = InputAttributes(bundle);
        if (attributes.Count > 0)
        {
            body["attributes"] = attributes;
        }

        if (bundle?["tags"] is JsonObject tags)
        {
            body["tags"] = tags.DeepClone();
        }

        if (keyOps && bundle?["key"]?["key_ops"] is JsonArray ops)
        {
            body["key_ops"] = ops.DeepClone();
        }

        return body;
    }

    private static JsonObject KeyCreateBody(JsonObject? bundle)
    {
        var key = bundle?["key"] as JsonObject;
        var kty = key?["kty"]?.GetValue<string>() ?? "EC";
        var body = new JsonObject { ["kty"] = kty };
        if (key?["crv"] is JsonValue crv)
        {
            body["crv"] = crv.GetValue<string>();
        }
        else if (kty.StartsWith("EC", StringComparison.Ordinal))
        {
            body["crv"] = "P-256";
        }

        if (key?["n"] is JsonValue n)
        {
            body["key_size"] = Base64Url.Decode(n.GetValue<string>()).SkipWhile(b => b == 0).Count() * 8;
        }

        if (key?["key_ops"] is JsonArray ops)
        {
            body["key_ops"] = ops.DeepClone();
        }

        var attributes = InputAttributes(bundle);
        if (attributes.Count > 0)
        {
            body["attributes"] = attributes;
        }

        if (bundle?["tags"] is JsonObject tags)
        {
            body["tags"] = tags.DeepClone();
        }

        return body;
    }

    private JsonObject? PreviousKeyBundle(string name, int before)
        => session.Calls.Take(before).Reverse()
            .FirstOrDefault(c => c.Route.Kind == "keys" && string.Equals(c.Route.Name, name, StringComparison.OrdinalIgnoreCase) && c.Json?["key"] is JsonObject)?.Json as JsonObject;

    /// <summary>The policy the service reported for the certificate later in the session, or a default self-signed one.</summary>
    private JsonObject CertificateCreateBody(string name)
    {
        var policy = session.Calls
            .Where(c => c.Route.Kind == "certificates" && string.Equals(c.Route.Name, name, StringComparison.OrdinalIgnoreCase) && c.Status == 200)
            .Select(c => c.Json?["policy"] as JsonObject)
            .FirstOrDefault(p => p is not null);
        var input = new JsonObject();
        if (policy is not null)
        {
            foreach (var (k, v) in policy)
            {
                if (k is "id" or "attributes")
                {
                    continue;
                }

                input[k] = v?.DeepClone();
            }
        }
        else
        {
            input["issuer"] = new JsonObject { ["name"] = "Self" };
            input["x509_props"] = new JsonObject { ["subject"] = "CN=replay", ["validity_months"] = 12 };
            input["key_props"] = new JsonObject { ["kty"] = "RSA", ["key_size"] = 2048, ["exportable"] = true, ["reuse_key"] = false };
            input["secret_props"] = new JsonObject { ["contentType"] = "application/x-pkcs12" };
        }

        return new JsonObject { ["policy"] = input };
    }

    private static JsonObject InputAttributes(JsonObject? bundle)
    {
        var attributes = new JsonObject();
        if (bundle?["attributes"] is JsonObject a)
        {
            foreach (var k in new[] { "enabled", "nbf", "exp" })
            {
                if (a[k] is JsonValue v)
                {
                    attributes[k] = v.DeepClone();
                }
            }
        }

        return attributes;
    }

    // ---- state learned while replaying ----

    private static bool IsMerge(RecordedCall call) => call.Method == "POST" && call.Route.Kind == "certificates" && call.Route.Action == "pending/merge";

    /// <summary>
    /// A merge sends the certificate an outside CA signed from the service's CSR: sign LocalVault's CSR instead (with a
    /// throwaway CA), in the same encoding the recorded x5c[0] used (base64 DER, or base64 of the PEM text as the
    /// JavaScript client sends it).
    /// </summary>
    private async Task<(string Body, string? Note)> SubstituteMergeInputAsync(RecordedCall call, Uri url, string body)
    {
        var input = JsonNode.Parse(body)!.AsObject();
        if (input["x5c"] is not JsonArray { Count: > 0 } recordedChain)
        {
            return (body, null);
        }

        var pendingUrl = new Uri(url.GetLeftPart(UriPartial.Path)[..url.GetLeftPart(UriPartial.Path).LastIndexOf('/')] + url.Query);
        var pending = await fx.SendAsync(HttpMethod.Get, pendingUrl);
        if (pending.StatusCode != 200 || pending.Json["csr"] is not JsonValue csr)
        {
            return (body, $"input: LocalVault's operation answered {pending.StatusCode}, the recorded x5c was sent");
        }

        using var authority = new KvArchive.LocalVault.Tests.Certificates.MergeTestAuthority();
        var der = authority.Sign(Convert.FromBase64String(csr.GetValue<string>()));
        var recorded = Convert.FromBase64String(recordedChain[0]!.GetValue<string>());
        string signed;
        string form;
        if (recorded.Length > 0 && recorded[0] != 0x30)
        {
            // The recorded entry is base64 of text: keep the text's shape (PEM body, with whatever markers it had).
            var text = System.Text.Encoding.ASCII.GetString(recorded);
            var begin = text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal) ? "-----BEGIN CERTIFICATE-----" : string.Empty;
            var end = text.Contains("-----END CERTIFICATE-----", StringComparison.Ordinal) ? "-----END CERTIFICATE-----" : string.Empty;
            signed = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(begin + Convert.ToBase64String(der) + end));
            form = "base64 of PEM text, as recorded";
        }
        else
        {
            signed = Convert.ToBase64String(der);
            form = "base64 DER";
        }

        input["x5c"] = new JsonArray(signed);
        return (input.ToJsonString(), $"input: LocalVault's CSR signed by a test CA ({form})");
    }

    private static bool IsCryptoInput(RecordedCall call)
        => call.Method == "POST" && call.Route.Kind == "keys" && call.Route.Action is "verify" or "decrypt" or "unwrapkey";

    /// <summary>
    /// The request body of a verify, decrypt or unwrapKey with the service's key output replaced by LocalVault's:
    /// the answer LocalVault gave to the same input earlier in the session, or one made now (sign the digest; encrypt
    /// or wrap the plaintext the service answered).
    /// </summary>
    private async Task<(string Body, string? Note)> SubstituteCryptoInputAsync(RecordedCall call, Uri url, string body)
    {
        var input = JsonNode.Parse(body)!.AsObject();
        var recordedValue = input["value"]?.GetValue<string>();
        var alg = input["alg"]?.GetValue<string>();
        if (recordedValue is null || alg is null)
        {
            return (body, null);
        }

        if (_cryptoOutputs.TryGetValue(recordedValue, out var mine))
        {
            input["value"] = mine;
            return (input.ToJsonString(), "input: LocalVault's output from earlier in the session");
        }

        // Made on the spot: the recorded input came from somewhere LocalVault's key was not (e.g. encrypted locally
        // with the service's public key).
        string? source;
        string producer;
        if (call.Route.Action == "verify")
        {
            source = input["digest"]?.GetValue<string>();
            producer = "sign";
        }
        else
        {
            source = call.Status == 200 ? call.Json?["value"]?.GetValue<string>() : null;
            producer = call.Route.Action == "decrypt" ? "encrypt" : "wrapkey";
        }

        if (source is null)
        {
            return (body, null);
        }

        var producerUrl = new Uri(url.GetLeftPart(UriPartial.Path)[..url.GetLeftPart(UriPartial.Path).LastIndexOf('/')] + "/" + producer + url.Query);
        var made = await fx.SendAsync(HttpMethod.Post, producerUrl, new JsonObject { ["alg"] = alg, ["value"] = source }.ToJsonString());
        if (made.StatusCode != 200 || made.Json["value"] is not JsonValue value)
        {
            return (body, $"input: LocalVault's {producer} answered {made.StatusCode}, the recorded input was sent");
        }

        input["value"] = value.GetValue<string>();
        return (input.ToJsonString(), $"input: made by LocalVault's {producer}");
    }

    private void Remember(RecordedCall call, RawResponse response)
    {
        var route = call.Route;
        if (route.Kind == "keys" && route.Action is "sign" or "encrypt" or "wrapkey"
            && call.Json?["value"] is JsonValue recordedOutput && response.Json["value"] is JsonValue myOutput)
        {
            _cryptoOutputs[recordedOutput.GetValue<string>()] = myOutput.GetValue<string>();
        }

        if (route.Action == "backup" && response.Json["value"] is JsonValue blob)
        {
            _backups[route.Kind + "/" + route.Name] = blob.GetValue<string>();
            _lastBackup = blob.GetValue<string>();
        }

        if (route.Kind == "secrets" && response.Json["contentType"]?.GetValue<string>() == "application/x-pkcs12" && response.Json["value"] is JsonValue pfx)
        {
            _lastPkcs12 = pfx.GetValue<string>();
        }
    }

    /// <summary>Maps the service's version ids to LocalVault's by walking both answers in parallel.</summary>
    private void LearnVersions(JsonNode? recorded, JsonNode? mine)
    {
        switch (recorded)
        {
            case JsonObject ro when mine is JsonObject mo:
                foreach (var (k, rv) in ro)
                {
                    if (mo.TryGetPropertyValue(k, out var mv))
                    {
                        if (k is "id" or "kid" or "sid" && rv is JsonValue r && mv is JsonValue m
                            && r.GetValueKind() == System.Text.Json.JsonValueKind.String && m.GetValueKind() == System.Text.Json.JsonValueKind.String)
                        {
                            var rVersion = VersionOf(r.GetValue<string>());
                            var mVersion = VersionOf(m.GetValue<string>());
                            if (rVersion is not null && mVersion is not null)
                            {
                                _versions[rVersion] = mVersion;
                            }
                        }
                        else
                        {
                            LearnVersions(rv, mv);
                        }
                    }
                }

                break;
        }
    }

    private Uri MapUrl(Uri recorded, VaultRef vault)
    {
        var path = MapText(recorded.AbsolutePath.TrimStart('/'));
        var query = System.Web.HttpUtility.ParseQueryString(recorded.Query);
        var parts = new List<string>();
        foreach (var key in query.AllKeys)
        {
            if (key is null || key.Equals("$skiptoken", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            parts.Add($"{key}={Uri.EscapeDataString(query[key]!)}");
        }

        return new Uri(vault.Uri, path + (parts.Count > 0 ? "?" + string.Join("&", parts) : string.Empty));
    }

    private string MapText(string text) => AnyVersion().Replace(text, m => _versions.TryGetValue(m.Value, out var v) ? v : m.Value);

    private async Task WaitForCertificateAsync(VaultRef vault, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var pending = await fx.SendAsync(HttpMethod.Get, vault, $"certificates/{name}/pending?api-version=7.3");
            if (pending.StatusCode != 200 || pending.Json["status"]?.GetValue<string>() != "inProgress")
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private async Task PollUntilAsync(VaultRef vault, string path, int status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && (await fx.SendAsync(HttpMethod.Get, vault, path)).StatusCode != status)
        {
            await Task.Delay(100);
        }
    }

    // ---- helpers ----

    private static bool IsCreate(RecordedCall c) => (c.Method, c.Route.Kind, c.Route.Action) switch
    {
        ("PUT", "secrets", null) => c.Route.Version is null,
        ("PUT", "keys", null) => c.Route.Version is null,
        ("PUT", "issuers", null) => c.Route.Name is not null,
        ("POST", "keys", "create") => true,
        ("POST", "certificates", "create") => true,
        ("POST", "certificates", "import") => true,
        _ => false,
    };

    private static bool IsPendingPoll(RecordedCall c) => c.Method == "GET" && c.Route.Kind == "certificates" && c.Route.Action == "pending";

    private static bool HasSkipToken(Uri url) => url.Query.Contains("$skiptoken", StringComparison.OrdinalIgnoreCase);

    private static string? VersionOf(string id)
    {
        var last = id.Split('?')[0].TrimEnd('/').Split('/')[^1];
        return VaultRoute.VersionRegex().IsMatch(last) ? last.ToLowerInvariant() : null;
    }

    private static string NameFromId(string id)
    {
        var segments = new Uri(id).AbsolutePath.Trim('/').Split('/');
        return segments.Length > 1 ? segments[1] : string.Empty;
    }

    private string? ItemKey(JsonObject item, bool isVersions, bool mapped)
    {
        var id = (item["id"] ?? item["kid"])?.GetValue<string>();
        if (id is null)
        {
            return null;
        }

        if (!isVersions)
        {
            return NameFromId(id);
        }

        var version = VersionOf(id);
        if (version is null)
        {
            return null;
        }

        return mapped && _versions.TryGetValue(version, out var mine) ? mine : version;
    }

    private static IEnumerable<JsonValue> FindValues(IEnumerable<JsonNode?> nodes, string field)
    {
        foreach (var node in nodes)
        {
            foreach (var v in FindValues(node, field))
            {
                yield return v;
            }
        }
    }

    private static IEnumerable<JsonValue> FindValues(JsonNode? node, string field)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    if (k == field && v is JsonValue value)
                    {
                        yield return value;
                    }
                    else
                    {
                        foreach (var x in FindValues(v, field))
                        {
                            yield return x;
                        }
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    foreach (var x in FindValues(item, field))
                    {
                        yield return x;
                    }
                }

                break;
        }
    }

    private static string Describe(List<RecordedCall> calls)
    {
        var c = calls[0];
        var path = c.Url.AbsolutePath + (c.Url.Query.Length > 0 ? "?" + string.Join("&", c.Url.Query.TrimStart('?').Split('&').Where(p => !p.StartsWith("$skiptoken", StringComparison.Ordinal))) : string.Empty);
        return calls.Count == 1 ? $"#{c.Index} {c.Method} {path} → {c.Status}" : $"#{c.Index}-#{calls[^1].Index} {c.Method} {path} → {calls[^1].Status}";
    }

    private static string Trim(string s) => s.Length > 200 ? s[..200] + "…" : s;
}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# The README's pipelines and every help example (module/help/*.md), run as written against LocalVault. The only
# changes are the ones a reader makes in their own shell: vault names become LocalVault URIs (-VaultName prod ->
# -VaultUri <the prod vault>), the access token comes from $PSDefaultParameterValues, Read-Host answers itself,
# and the variables an example takes as given ($uri, $json, $archive…) exist.

BeforeDiscovery {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    $fence = [regex] '(?s)```powershell\r?\n(.*?)```'
    $examples = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($file in Get-ChildItem (Join-Path $root 'module' 'help') -Filter '*-*.md') {
        $i = 0
        foreach ($m in $fence.Matches((Get-Content $file.FullName -Raw))) {
            $examples.Add(@{ Source = "$($file.BaseName) example $((++$i))"; Code = $m.Groups[1].Value; Run = $true })
        }
    }
    $readme = Get-Content (Join-Path $root 'README.md') -Raw
    $i = 0
    foreach ($m in $fence.Matches($readme)) {
        $code = $m.Groups[1].Value
        # The LocalVault block is a template ('<certificatePath it printed>'): checked, not run. The Pester suite
        # block (BeforeAll/It) is a suite of its own: examples/DrRehearsal.Tests.ps1 runs it from the installed
        # packages (build.ps1 -Task TestInstalled); here it is checked, not run inside a test.
        $isSuite = $code -match '(?m)^\s*(BeforeAll|Describe|It)\b'
        $examples.Add(@{ Source = "README block $((++$i))"; Code = $code; Run = ($code -notmatch '<\w') -and -not $isSuite })
    }
    foreach ($m in [regex]::Matches($readme, '`(Get-KvObject -VaultUri \$u[^`]*)`')) {
        $examples.Add(@{ Source = 'README credential pipeline'; Code = $m.Groups[1].Value; Run = $true })
    }
    $script:Examples = $examples.ToArray()
}

BeforeAll {
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
    $script:Commands = @{}
    foreach ($c in Get-Command -Module KvArchive) { $script:Commands[$c.Name] = $c }
    # The companion module's commands (Start-KvLocalVault…), which the README's Pester block uses.
    # The build lays it out beside KvArchive, with its version filled in.
    $companion = Import-Module (Join-Path (Get-TestRepoRoot) 'out' 'KvArchive.LocalVault' 'KvArchive.LocalVault.psd1') -PassThru -Force
    foreach ($c in $companion.ExportedCommands.Values) { $script:Commands[$c.Name] = $c }

    # A prod vault with the objects the examples name, an empty dr vault and a test vault with leftovers.
    function New-ExampleVaults {
        $vaults = @{}
        foreach ($name in 'prod', 'dr', 'test') { $vaults[$name] = New-TestVault -Server $script:Server -Prefix $name }
        $v = ConvertTo-SecureString 'example-value' -AsPlainText -Force
        $prod = @{ VaultUri = $vaults.prod; AccessToken = $script:Token }
        Set-KvSecret @prod -Name db-password -SecretValue $v
        Set-KvSecret @prod -Name db-password -SecretValue $v
        Set-KvSecret @prod -Name db-user -SecretValue $v
        Set-KvSecret @prod -Name feature-flags -SecretValue (ConvertTo-SecureString '{"beta":true}' -AsPlainText -Force) -ContentType application/json
        Set-KvSecret @prod -Name old-api-key -SecretValue $v
        Set-KvSecret @prod -Name api-key -SecretValue $v -Tag @{ owner = 'ops' }
        Set-KvSecret @prod -Name removed-today -SecretValue $v
        Remove-KvObject @prod -Type Secret -Name removed-today -Force
        $signing = New-KvKey @prod -Name signing
        $test = @{ VaultUri = $vaults.test; AccessToken = $script:Token }
        foreach ($name in 'tmp-a', 'tmp-b', 'gone') { Set-KvSecret @test -Name $name -SecretValue $v }
        Remove-KvObject @test -Type Secret -Name gone -Force
        @{ Vaults = $vaults; SigningId = $signing.Id }
    }

    # The examples' storage account is Azurite, its container 'kv-backups' made beforehand.
    $script:Azurite = Start-TestAzurite
    $script:Container = New-TestAzuriteContainer -Azurite $script:Azurite -Name 'kv-backups'

    # The edits a reader makes to run an example against their own vaults (and storage account).
    function ConvertTo-LocalExample([string] $Code) {
        $Code = $Code.Replace('https://backupsacct.blob.core.windows.net/', $script:Azurite.BlobEndpoint + '/')
        $Code = [regex]::Replace($Code, 'https://(prod|dr|test)\.vault\.azure\.net/keys/signing/[0-9a-f]{32}', '$SigningId')
        $Code = [regex]::Replace($Code, 'https://(prod|dr|test)\.vault\.(azure\.net|localhost:8443)/', '$$Vaults[''$1'']')
        [regex]::Replace($Code, '-VaultName (prod|dr|test)\b', '-VaultUri $$Vaults[''$1'']')
    }
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    if (Get-Variable -Name Azurite -Scope Script -ValueOnly -ErrorAction Ignore) { Stop-TestAzurite -Azurite $script:Azurite }
    Remove-Module KvArchive, KvArchive.LocalVault -ErrorAction SilentlyContinue
}

Describe 'Examples' -Tag 'Examples', 'LocalVault' {
    It '<Source> parses and names only parameters its cmdlets have' -ForEach $script:Examples {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        $problems = foreach ($command in $ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $command.GetCommandName()
            if ($name -notlike '*-Kv*') { continue }
            if (-not $script:Commands.ContainsKey($name)) { "no cmdlet $name"; continue }
            $known = $script:Commands[$name].Parameters.Values | ForEach-Object { $_.Name; $_.Aliases }
            foreach ($p in $command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                if (-not ($known | Where-Object { $_ -like "$($p.ParameterName)*" })) { "$name has no -$($p.ParameterName)" }
            }
        }
        $problems | Should -BeNullOrEmpty
    }

    It '<Source> runs as written' -ForEach @($script:Examples | Where-Object Run) {
        $state = New-ExampleVaults
        $Vaults = $state.Vaults
        $SigningId = $state.SigningId
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $folder | Out-Null
        Push-Location $folder
        # The temporary folder of an example is the test's own ([IO.Path]::GetTempPath() reads TMPDIR/TEMP).
        $savedTemp = $env:TMPDIR, $env:TEMP
        $env:TMPDIR = $env:TEMP = $folder
        try {
            # What the examples take as given.
            $uri = $Vaults.prod
            $u = $Vaults.prod
            $t = $script:Token
            $generated = 'generated-' + [guid]::NewGuid().ToString('N')
            $json = ConvertTo-SecureString '{"user":"app"}' -AsPlainText -Force
            function Read-Host { ConvertTo-SecureString 'typed-value' -AsPlainText -Force }
            $PSDefaultParameterValues = @{ '*-Kv*:AccessToken' = $script:Token; '*-Kv*:Confirm' = $false }
            $archive = Join-Path $folder 'prod.kva'
            if ($Code -match '\./prod\.kva|\$archive' -and $Code -notmatch 'Backup-KvObject') {
                $null = Backup-KvObject -VaultUri $Vaults.prod -Path $archive
            }
            if ($Code -match 'Get-KvArchive\b' -and $Code -notmatch 'Backup-KvObject') {
                $null = Backup-KvObject -VaultUri $Vaults.prod -Path ('{0}/prod-{1}.kva' -f $script:Container, [guid]::NewGuid().ToString('N')) 6>$null
            }
            if ($Code -match 'Undo-KvObjectRemoval -VaultName prod -Type Secret -Name db-password') {
                Remove-KvObject -VaultUri $Vaults.prod -Type Secret -Name db-password -Force
            }

            $output = . ([scriptblock]::Create((ConvertTo-LocalExample $Code))) 6>$null
            $null = $output | Out-String   # and it renders
        }
        finally {
            $env:TMPDIR, $env:TEMP = $savedTemp
            Pop-Location
        }
    }

    It 'recovers, restores and reads what the README''s quickstart says' {
        $state = New-ExampleVaults
        $Vaults = $state.Vaults
        $readme = Get-Content (Join-Path (Get-TestRepoRoot) 'README.md') -Raw
        $quickstart = ([regex] '(?s)```powershell\r?\n(# Quickstart.*?)```').Match($readme).Groups[1].Value
        $quickstart | Should -Not -BeNullOrEmpty
        $folder = Join-Path $TestDrive 'quickstart'
        New-Item -ItemType Directory -Path $folder | Out-Null
        Push-Location $folder
        try {
            function Read-Host { ConvertTo-SecureString 'typed-value' -AsPlainText -Force }
            $PSDefaultParameterValues = @{ '*-Kv*:AccessToken' = $script:Token }
            $null = . ([scriptblock]::Create((ConvertTo-LocalExample $quickstart))) 6>$null
            'prod.kva' | Should -Exist
            (Test-KvArchive -Path prod.kva).IsValid | Should -BeTrue
        }
        finally {
            Pop-Location
        }
        $dr = @{ VaultUri = $Vaults.dr; AccessToken = $script:Token }
        (Get-KvObject @dr -Type Secret).Name | Should -Contain 'db-password'
        # Disabled by the quickstart's Update-KvObject, and restored as it was backed up.
        (Get-KvObject @dr -Type Secret -Name db-password).Enabled | Should -BeFalse
        (Get-KvObject -VaultUri $Vaults.prod -AccessToken $script:Token -Name removed-today).Name | Should -Be 'removed-today'
    }
}

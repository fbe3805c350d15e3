#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# Secrets against LocalVault: the quickstart, every property, carrying properties forward, no value leaks.

BeforeAll {
    # As PSRule's suites do: strict mode, and the preference each test relies on, set here rather than inherited
    # from the caller (build.ps1 runs with 'Stop').
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Secrets' -Tag 'Secrets', 'LocalVault' {
    BeforeEach {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
    }

    It 'creates, reads, disables and deletes a secret (quickstart)' {
        $value = ConvertTo-SecureString 's3cret-quickstart' -AsPlainText -Force
        $created = Set-KvSecret @kv -Name db-password -SecretValue $value -PassThru
        $created.Name | Should -Be 'db-password'
        $created.Version | Should -Match '^[0-9a-f]{32}$'

        Get-KvSecret @kv -Name db-password -AsPlainText | Should -Be 's3cret-quickstart'
        (Get-KvSecret @kv -Name db-password).Value | Should -BeOfType [securestring]

        Update-KvObject @kv -Type Secret -Name db-password -Enabled $false
        { Get-KvSecret @kv -Name db-password -ErrorAction Stop } | Should -Throw -ErrorId 'KvSecretDisabled*'

        Remove-KvObject @kv -Type Secret -Name db-password -Force
        Get-KvObject @kv -Name 'db-*' | Should -BeNullOrEmpty
        $removed = Get-KvObject @kv -Name db-password -InRemovedState
        $removed.Deleted | Should -BeTrue
        $removed.ScheduledPurgeDate | Should -Not -BeNullOrEmpty
    }

    It 'keeps every property of a secret' {
        $value = ConvertTo-SecureString '{"user":"app"}' -AsPlainText -Force
        $expires = [datetime]::new(2031, 5, 6, 7, 8, 9, [DateTimeKind]::Utc)
        $notBefore = [datetime]::new(2024, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)
        Set-KvSecret @kv -Name app-config -SecretValue $value -ContentType application/json -Tag @{ owner = 'team-a'; env = 'prod' } -Disabled -ExpiresOn $expires -NotBefore $notBefore

        $o = Get-KvObject @kv -Type Secret -Name app-config
        $o.ContentType | Should -Be 'application/json'
        $o.Enabled | Should -BeFalse
        $o.ExpiresOn.UtcDateTime | Should -Be $expires
        $o.NotBefore.UtcDateTime | Should -Be $notBefore
        $o.Tags['owner'] | Should -Be 'team-a'
        $o.Tags['env'] | Should -Be 'prod'
        $o.Managed | Should -BeFalse
    }

    It 'carries the current properties forward only when asked' {
        Set-KvSecret @kv -Name rotating -SecretValue (ConvertTo-SecureString 'one' -AsPlainText -Force) -ContentType text/plain -Tag @{ owner = 'ops' }
        $v2 = Set-KvSecret @kv -Name rotating -SecretValue (ConvertTo-SecureString 'two' -AsPlainText -Force) -CarryForward -PassThru
        $v2.ContentType | Should -Be 'text/plain'
        $v2.Tags['owner'] | Should -Be 'ops'
        $v3 = Set-KvSecret @kv -Name rotating -SecretValue (ConvertTo-SecureString 'three' -AsPlainText -Force) -PassThru
        $v3.ContentType | Should -BeNullOrEmpty
        $v3.Tags.Count | Should -Be 0
        @(Get-KvObject @kv -Name rotating -IncludeVersions).Count | Should -Be 3
    }

    It 'reads a version by name, by piped object and by id' {
        $first = Set-KvSecret @kv -Name multi -SecretValue (ConvertTo-SecureString 'first' -AsPlainText -Force) -PassThru
        Set-KvSecret @kv -Name multi -SecretValue (ConvertTo-SecureString 'second' -AsPlainText -Force)
        Get-KvSecret @kv -Name multi -Version $first.Version -AsPlainText | Should -Be 'first'
        $first | Get-KvSecret -AccessToken $script:Token -AsPlainText | Should -Be 'first'
        Get-KvSecret -Id $first.Id -AccessToken $script:Token -AsPlainText | Should -Be 'first'
        Get-KvObject @kv -Type Secret -Name multi | Get-KvSecret -AccessToken $script:Token -AsPlainText | Should -Be 'second'
    }

    It 'never shows a secret value on any stream or in formatted output' {
        $canary = 'CANARY-' + [guid]::NewGuid().ToString('N')
        $secure = ConvertTo-SecureString $canary -AsPlainText -Force
        $all = & {
            # Errors are part of what is searched: let them through as records, not as a stop.
            $ErrorActionPreference = 'Continue'
            Set-KvSecret @kv -Name leak -SecretValue $secure -PassThru -Verbose -Debug | Format-Table | Out-String
            Get-KvSecret @kv -Name leak | Format-Table | Out-String
            Get-KvSecret @kv -Name leak | Format-List * | Out-String
            Get-KvObject @kv -IncludeVersions -Verbose | Out-String
            Update-KvObject @kv -Type Secret -Name leak -Enabled $false -Verbose
            Get-KvSecret @kv -Name leak
            Set-KvSecret @kv -Name 'bad name!' -SecretValue $secure
            Remove-KvObject @kv -Type Secret -Name leak -Force -Verbose
            Set-KvSecret @kv -Name leak -SecretValue $secure
        } *>&1 | Out-String
        $all | Should -Not -BeNullOrEmpty
        $all | Should -Not -Match ([regex]::Escape($canary))
    }
}

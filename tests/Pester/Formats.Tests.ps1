#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# Every view of the format file rendered as a console of 80 and of 120 columns would show it: table headers
# never wrap, the most useful columns come first, wider consoles show more, list views show everything.

BeforeDiscovery {
    # Every type a cmdlet declares it writes needs its views: a type added to an [OutputType] (or an [InformationType], the
    # summaries of Backup-KvObject and Restore-KvObject) fails here until it has them.
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Declared = @(Get-Command -Module KvArchive | ForEach-Object { $_.OutputType.Name; $_.ImplementingType.GetCustomAttributes($true) | Where-Object { $_.GetType().Name -eq 'InformationTypeAttribute' } | ForEach-Object { $_.Type.FullName } } | Where-Object { $_ -like 'KvArchive.*' } | Sort-Object -Unique)
}

BeforeAll {
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
    $script:Declared = @(Get-Command -Module KvArchive | ForEach-Object { $_.OutputType.Name; $_.ImplementingType.GetCustomAttributes($true) | Where-Object { $_.GetType().Name -eq 'InformationTypeAttribute' } | ForEach-Object { $_.Type.FullName } } | Where-Object { $_ -like 'KvArchive.*' } | Sort-Object -Unique)

    # One real object of every output type, from the cmdlets themselves.
    $source = New-TestVault -Server $script:Server
    $target = New-TestVault -Server $script:Server
    $kv = @{ VaultUri = $source; AccessToken = $script:Token }
    $value = ConvertTo-SecureString 'not-shown' -AsPlainText -Force
    Set-KvSecret @kv -Name 'db-password-of-the-reporting-database' -SecretValue $value -Tag @{ owner = 'dba' }
    Set-KvSecret @kv -Name 'db-password-of-the-reporting-database' -SecretValue $value -ContentType 'application/json' -Tag @{ owner = 'dba'; env = 'prod' } -ExpiresOn ([datetime]::new(2031, 5, 6, 0, 0, 0, [DateTimeKind]::Utc))
    $null = New-KvKey @kv -Name signing -Tag @{ owner = 'pki' }
    $null = Invoke-TestSeed -Server $script:Server -VaultUri $source -Seed @{ secrets = 0; keys = 0; certificates = 1; versions = 1; prefix = 'web' }
    Set-KvSecret @kv -Name removed-one -SecretValue $value
    Remove-KvObject @kv -Type Secret -Name removed-one -Force

    # Everything the cmdlets write, sorted by type: records, summaries, items, verifications alike.
    $archive = Join-Path $TestDrive 'formats.kva'
    $written = @(Get-KvObject @kv) + @(Get-KvObject @kv -InRemovedState) + @(Get-KvObject @kv -Name db-* -IncludeVersions) +
        @(Get-KvSecret @kv -Name 'db-password-of-the-reporting-database') +
        @(Get-KvObject @kv | Backup-KvObject -Path $archive -AccessToken $script:Token -InformationVariable backedUp 6>$null) + @($backedUp.MessageData) +
        @(Test-KvArchive -Path $archive) + @(Get-KvArchiveItem -Path $archive) +
        @(Compare-KvArchive -Path $archive -VaultUri $source -AccessToken $script:Token -IncludeEqual) +
        @(Restore-KvObject -Path $archive -VaultUri $target -AccessToken $script:Token -InformationVariable restored 6>$null) + @($restored.MessageData)
    # A container listing (Get-KvArchive) needs storage: Azurite (its development account signs in with its own key).
    $script:Azurite = Start-TestAzurite
    $container = New-TestAzuriteContainer -Azurite $script:Azurite
    $null = Backup-KvObject @kv -Path "$container/formats.kva" 6>$null
    $written += @(Get-KvArchive -Container $container)
    $script:Samples = [ordered]@{}
    foreach ($group in $written | Group-Object { $_.GetType().FullName }) { $script:Samples[$group.Name] = $group.Group }

    function Get-KvView([string] $TypeName) {
        foreach ($data in Get-FormatData -TypeName $TypeName -PowerShellVersion $PSVersionTable.PSVersion) {
            foreach ($view in $data.FormatViewDefinition) { $view }
        }
    }

    # The header block of a rendered table: the lines between the blank line and the dashes under the labels.
    function Get-TableHeader([string[]] $Lines) {
        $dashes = [array]::FindIndex($Lines, [Predicate[string]] { param($l) $l -match '^\s*-+(\s+-+)*\s*$' })
        $dashes | Should -BeGreaterThan 0 -Because 'a table has a line of dashes under its labels'
        $first = $dashes - 1
        while ($first -gt 0 -and $Lines[$first - 1].Trim()) { $first-- }
        , $Lines[$first..($dashes - 1)]
    }
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    if (Get-Variable -Name Azurite -Scope Script -ValueOnly -ErrorAction Ignore) { Stop-TestAzurite -Azurite $script:Azurite }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Format views' -Tag 'Formats', 'LocalVault' {
    It 'has a table and a list view for <_>' -ForEach $script:Declared {
        $views = @(Get-KvView $_)
        @($views | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }).Count | Should -BeGreaterOrEqual 1
        @($views | Where-Object { $_.Control -is [System.Management.Automation.ListControl] }).Count | Should -Be 1
        # The default (first) view is the table.
        $views[0].Control | Should -BeOfType ([System.Management.Automation.TableControl])
    }

    It 'has a sample of every declared type to render' {
        $script:Declared | Where-Object { -not $script:Samples.Contains($_) } | Should -BeNullOrEmpty
    }

    It 'renders every table view of every type at <Width> columns with one header line, the first columns whole' -ForEach @(
        @{ Width = 80 }, @{ Width = 120 }
    ) {
        $problems = foreach ($typeName in $script:Samples.Keys) {
            foreach ($view in Get-KvView $typeName | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }) {
                $labels = @($view.Control.Headers.Label)
                $text = $script:Samples[$typeName] | Format-Table -View $view.Name | Out-String -Width $Width
                $lines = $text -split "`r?`n"
                $header = Get-TableHeader $lines
                if ($header.Count -ne 1) { "$typeName/$($view.Name) at ${Width}: the header takes $($header.Count) lines:`n$($header -join "`n")"; continue }
                $shown = @(-split $header[0])
                if (($shown -join ' ') -ne ($labels[0..($shown.Count - 1)] -join ' ')) { "$typeName/$($view.Name) at ${Width}: shows '$($shown -join ' ')', not the first columns of '$($labels -join ' ')'" }
                if ($shown.Count -lt [Math]::Min(4, $labels.Count)) { "$typeName/$($view.Name) at ${Width}: only $($shown.Count) columns" }
                $long = @($lines | Where-Object Length -gt $Width)
                if ($long) { "$typeName/$($view.Name) at ${Width}: $($long.Count) lines are wider" }
            }
        }
        $problems | Should -BeNullOrEmpty
    }

    It 'shows more columns at 120 than at 80 where the view has more' {
        foreach ($typeName in $script:Samples.Keys) {
            $view = @(Get-KvView $typeName)[0]
            $count = @{}
            foreach ($width in 80, 120) {
                $text = $script:Samples[$typeName] | Out-String -Width $width
                $count[$width] = @(-split (Get-TableHeader ($text -split "`r?`n"))[0]).Count
            }
            if ($view.Control.Headers.Count -gt $count[80]) {
                $count[120] | Should -BeGreaterThan $count[80] -Because "$typeName has $($view.Control.Headers.Count) columns"
            }
        }
    }

    It 'puts the most useful columns first in the default tables' {
        (-split (Get-TableHeader (($script:Samples['KvArchive.Engine.Vault.KvObject'] | Out-String -Width 80) -split "`r?`n"))[0]) |
            Should -Be @('Type', 'Name', 'Enabled', 'Expires', 'Updated', 'State')
        (-split (Get-TableHeader (($script:Samples['KvArchive.Engine.Transfer.BackupRecord'] | Out-String -Width 80) -split "`r?`n"))[0]) |
            Should -Be @('Type', 'Name', 'Status', 'Reason')
    }

    It 'shows tags as key=value in tables and lists' {
        $secret = $script:Samples['KvArchive.Engine.Vault.KvObject'] | Where-Object Name -eq 'db-password-of-the-reporting-database' | Select-Object -First 1
        $list = $secret | Format-List | Out-String -Width 120
        $list | Should -Match 'Tags\s+:\s+env=prod, owner=dba'
        $list | Should -Not -Match '\{\['
        $secret | Out-String -Width 160 | Should -Match 'env=prod, owner=dba'
        $script:Samples['KvArchive.Engine.Archive.ArchiveItem'] | Where-Object Name -eq 'signing' | Format-List | Out-String | Should -Match 'Tags\s+:\s+owner=pki'
    }

    It 'lists every property of <_> in its list view' -ForEach @($script:Declared | Where-Object { $_ -ne 'KvArchive.Engine.Vault.KvSecretValue' }) {
        $typeName = $_
        $list = @(Get-KvView $typeName | Where-Object { $_.Control -is [System.Management.Automation.ListControl] })[0]
        $labels = @($list.Control.Entries[0].Items | ForEach-Object { if ($_.Label) { $_.Label } else { $_.DisplayEntry.Value } })
        $properties = ($typeName -as [type]).GetProperties().Name | Where-Object { $_ -notin 'Errors', 'HasBlob', 'Versions' }
        $properties | Where-Object { $_ -notin $labels } | Should -BeNullOrEmpty
    }

    It 'fills the Version column of the Versions view for -IncludeVersions' {
        $versions = $script:Samples['KvArchive.Engine.Vault.KvObject'] | Where-Object { $_.Version }
        @($versions).Count | Should -Be 2
        $text = $versions | Format-Table -View Versions | Out-String -Width 80
        foreach ($v in $versions) { $text | Should -Match $v.Version }
    }

    It 'never renders a secret value' {
        $script:Samples['KvArchive.Engine.Vault.KvSecretValue'] | Format-List | Out-String | Should -Not -Match 'not-shown'
        $script:Samples['KvArchive.Engine.Vault.KvSecretValue'] | Out-String -Width 200 | Should -Not -Match 'not-shown'
    }
}

from appeals.cli import entry

entry()

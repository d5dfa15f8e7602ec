"""The editable document (Graph), its files, formulas and code export. No Qt here."""

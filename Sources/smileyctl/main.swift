import SmileyControl

SmileyctlCommand.main()
